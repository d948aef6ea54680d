"""Human research prose from R packages' vignettes and descriptions (``scripts/fetch-r-docs.sh``,
``data.load_r_docs``): what is read, what is left out, and how it is split. A paragraph is either read whole
as the author wrote it or left out: text with holes, labelled human, would teach the detector that broken
sentences are human and fluent ones AI."""
from pathlib import Path

from moderation.detector.train.data import (R_SITE_LIBRARY, _description_paragraph, _rmd_paragraphs,
                                            _rnw_paragraphs, load, load_r_docs, stable_split)

ABSTRACT = ("This vignette describes how the package estimates the mixing proportions of two cell populations "
            "from bulk expression data. We compare the estimates with those of an earlier method on three "
            "published data sets and discuss when the assumptions of the model are likely to fail in practice, "
            "in particular for samples of low purity.")
PROSE = ("The main function takes a matrix of counts and a design formula. It returns an object that holds the "
         "fitted coefficients, their standard errors and the dispersion estimates, so that later steps of the "
         "analysis can be run without fitting the model again. Most users will only need the summary method, "
         "which prints the genes whose expression differs between the groups of samples.")
LONG_LIST_ITEM = ("a list item long enough to be a paragraph if it were read as one, which it must not be, "
                  "because a list is not the author's running prose but fragments of it, one after another, "
                  "like this one here and the next one that would follow it in the document")
DESCRIPTION = ("Package: mixest\nTitle: Mixing Proportions\nDescription: Estimates the proportions of the cell "
               "populations that make up a bulk tissue sample from its expression profile, with the method\n"
               "    of Smith (2010) <doi:10.1000/xyz123>, and tests whether the proportions differ between two\n"
               "    groups of samples while accounting for the uncertainty of each estimate and the size of each\n"
               "    group.\n"
               "License: GPL-2\n"
               "Date/Publication: 2021-03-04 10:00:00 UTC\n")


def _package(root: Path, name: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / R_SITE_LIBRARY / name / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_an_r_markdown_vignette_gives_its_abstract_and_prose_and_none_of_its_code_lists_or_comments():
    code = "\n".join(f"fit{i} <- fitMix(counts, design = ~ group + batch, method = 'exact', iterations = {i})"
                     for i in range(8))
    rmd = (f"---\ntitle: Mixing\nabstract: >\n  {ABSTRACT}\noutput: html_document\n---\n\n# Introduction\n\n"
           f"{PROSE.replace('summary method', '`summary()` method').replace('dispersion', '**dispersion**')}\n\n"
           f"```{{r}}\n{code}\n```\n\n- {LONG_LIST_ITEM}\n- {LONG_LIST_ITEM}\n\n"
           f"<!-- {PROSE}\n\n{ABSTRACT} -->\n\n    {LONG_LIST_ITEM}\n")

    assert _rmd_paragraphs(rmd) == [ABSTRACT, PROSE.replace("summary method", "summary() method")]


def test_a_markdown_paragraph_with_a_citation_maths_or_inline_r_is_left_out_not_cut_open():
    for hole in ("as shown by [@smith2010]", "the rate $\\lambda$ of", "the `r nrow(x)` samples",
                 "see Figure \\@ref(fig:a)"):
        assert _rmd_paragraphs(f"{PROSE} It uses {hole} each sample.") == []
    assert _rmd_paragraphs(f"{PROSE} The option `keep_names` stays as it was.")[0].endswith(
        "The option keep_names stays as it was.")


def test_a_sweave_vignette_gives_the_words_its_latex_wraps_and_leaves_out_code_floats_and_comments():
    latex = (r"We fit the model with \Rfunction{fitMix}, which replaces the \emph{expectation} step by an exact "
             r"computation when the number of components is small --- as it is in \R{} for most data sets. The "
             r"code that produced the figures of the original paper is given in the \Rpackage{mixdata} package "
             r"for anyone who wishes to check them against the published values.")
    rnw = ("\\documentclass{article}\n\\begin{document}\n\\section{Method}\n"
           f"{latex} % TODO: ask Matt about this\n\n<<fit, echo=TRUE>>=\nfit <- fitMix(counts)\n@\n\n"
           f"\\begin{{figure}}\n{PROSE}\n\\end{{figure}}\n\n\\begin{{Scode}}\n{PROSE}\n\\end{{Scode}}\n"
           f"% {ABSTRACT}\n\\end{{document}}\n")

    (text,) = _rnw_paragraphs(rnw)

    assert text == ("We fit the model with fitMix, which replaces the expectation step by an exact computation when "
                    "the number of components is small \u2014 as it is in R for most data sets. The code that "
                    "produced the figures of the original paper is given in the mixdata package for anyone who "
                    "wishes to check them against the published values.")


def test_a_latex_paragraph_with_a_citation_maths_or_verbatim_is_left_out_not_cut_open():
    for hole in (r"the method of \citet{smith2010}", r"the rate $\lambda$", r"the rate \(\lambda\)",
                 r"the call \verb|fit(x)|", r"a note\footnote{See \url{http://x.org}.}"):
        assert _rnw_paragraphs(f"{PROSE} It uses {hole} for each sample.") == []


def test_a_description_is_read_without_its_links_to_papers():
    assert _description_paragraph(DESCRIPTION) == (
        "Estimates the proportions of the cell populations that make up a bulk tissue sample from its expression "
        "profile, with the method of Smith (2010), and tests whether the proportions differ between two groups of "
        "samples while accounting for the uncertainty of each estimate and the size of each group.")


def test_a_package_published_after_chatgpt_is_not_read_as_human(tmp_path):
    _package(tmp_path, "oldmix", {"DESCRIPTION": DESCRIPTION, "doc/a.Rmd": PROSE})
    _package(tmp_path, "newmix", {"DESCRIPTION": DESCRIPTION.replace("2021-03-04", "2023-01-10"),
                                  "doc/a.Rmd": ABSTRACT})

    assert {d.meta["group"] for d in load_r_docs(tmp_path)} == {"r-package:oldmix"}


def test_a_packages_texts_are_all_on_one_side_of_the_split_and_load_finds_the_folder(tmp_path):
    for name in ("mixest", "othermix", "thirdmix"):
        _package(tmp_path, name, {"DESCRIPTION": DESCRIPTION,
                                  "doc/a.Rmd": f"{PROSE}\n\n{ABSTRACT.replace('vignette', name)}\n"})

    docs = load([str(tmp_path)], include_own=False)

    # each package's own abstract; the prose and the description they share, once (the first package's)
    assert len(docs) == 3 + 1 + 1
    for d in docs:
        name = d.meta["group"].split(":", 1)[1]
        assert d.label == 0 and d.split == stable_split(f"r-package:{name}")
