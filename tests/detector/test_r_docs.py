"""Human research prose from R packages' vignettes and descriptions (``scripts/fetch-r-docs.sh``,
``data.load_r_docs``): what is read, what is left out, and how it is split."""
from pathlib import Path

from moderation.detector.train.data import R_SITE_LIBRARY, load, load_r_docs, stable_split

ABSTRACT = ("This vignette describes how the package estimates the mixing proportions of two cell populations "
            "from bulk expression data. We compare the estimates with those of an earlier method on three "
            "published data sets and discuss when the assumptions of the model are likely to fail in practice, "
            "in particular for samples of low purity.")
PROSE = ("The main function takes a matrix of counts and a design formula. It returns an object that holds the "
         "fitted coefficients, their standard errors and the dispersion estimates, so that later steps of the "
         "analysis can be run without fitting the model again. Most users will only need the summary method, "
         "which prints the genes whose expression differs between the groups of samples.")
LATEX = (r"We fit the model with \Rfunction{fitMix}, which follows the approach of \citet{smith2010} but "
         r"replaces the \emph{expectation} step by an exact computation when the number of components is "
         r"small. The estimates of $\pi_k$ are then compared across samples, and the code that produced the "
         r"figures of the original paper is given in the \Rpackage{mixdata} package for anyone who wishes to "
         r"check them against the published values.")
DESCRIPTION = ("Package: mixest\nTitle: Mixing Proportions\nDescription: Estimates the proportions of the cell "
               "populations that make up a bulk tissue sample from its expression profile, with the method\n"
               "    described in the accompanying paper, and tests whether the proportions differ between two\n"
               "    groups of samples while accounting for the uncertainty of each estimate.\nLicense: GPL-2\n")


def _package(root: Path, name: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / R_SITE_LIBRARY / name / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_vignettes_abstract_and_prose_are_read_and_its_code_headings_and_lists_are_not(tmp_path):
    rmd = (f"---\ntitle: Mixing\nabstract: >\n  {ABSTRACT}\noutput: html_document\n---\n\n# Introduction\n\n"
           f"{PROSE}\n\n```{{r}}\nfit <- fitMix(counts, ~ group)\nsummary(fit)\n```\n\n"
           "- a list item that is long enough to be a paragraph if it were read as one, which it must not be "
           "because lists are not the author's running prose but fragments of it, like this one here\n")
    _package(tmp_path, "mixest", {"DESCRIPTION": DESCRIPTION, "doc/mixest.Rmd": rmd})

    texts = {d.source: [] for d in load_r_docs(tmp_path)}
    for d in load_r_docs(tmp_path):
        texts[d.source].append(d.text)

    assert texts["rdocs:vignettes"] == [ABSTRACT, PROSE]
    assert texts["rdocs:descriptions"] == [" ".join(DESCRIPTION.split("Description:")[1].split("License")[0].split())]


def test_a_sweave_vignette_is_read_as_the_words_its_latex_wraps(tmp_path):
    rnw = ("\\documentclass{article}\n\\usepackage{Sweave}\n\\begin{document}\n\\section{Method}\n"
           f"{LATEX}\n\n<<fit, echo=TRUE>>=\nfit <- fitMix(counts)\n@\n\n\\begin{{figure}}\nA caption that is not prose.\n"
           "\\end{figure}\n% a comment line that is not read\n\\end{document}\n")
    _package(tmp_path, "mixest", {"doc/method.Rnw": rnw})

    (doc,) = load_r_docs(tmp_path)

    assert doc.text.startswith("We fit the model with fitMix, which follows the approach of but replaces the "
                               "expectation step by an exact computation")
    assert "\\" not in doc.text and "$" not in doc.text and "mixdata package" in doc.text


def test_a_packages_texts_are_all_on_one_side_of_the_split_and_load_finds_the_folder(tmp_path):
    for name in ("mixest", "othermix", "thirdmix"):
        _package(tmp_path, name, {"DESCRIPTION": DESCRIPTION.replace("Mixing", name),
                                  "doc/a.Rmd": f"{PROSE}\n\n{ABSTRACT.replace('vignette', name)}\n"})

    docs = load([str(tmp_path)], include_own=False)

    # each package's own abstract; the prose and the description they share, once (the first package's)
    assert len(docs) == 3 + 1 + 1
    for d in docs:
        name = d.meta["group"].split(":", 1)[1]
        assert d.label == 0 and d.split == stable_split(f"r-package:{name}")
