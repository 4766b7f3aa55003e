"""``ember.onnx.load``: run an ONNX file with ember ops."""


def load(path):
    raise NotImplementedError("ember.onnx.load is not written yet")
