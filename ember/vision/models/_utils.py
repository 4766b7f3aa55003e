"""What the model builders share: ember's answer to a request for pretrained weights."""


def no_download(name, weights, kwargs):
    """Raise if `weights` (or the old ``pretrained=True``) asks for a download; ember never downloads."""
    pretrained = kwargs.pop("pretrained", False)
    if weights is None and not pretrained:
        return
    asked = f"weights={weights!r}" if weights is not None else "pretrained=True"
    raise ValueError(
        f"{name}({asked}): ember never downloads weights. Get torchvision's checkpoint file yourself "
        f"(https://download.pytorch.org/models/{name}-<hash>.pth), then build the model without weights "
        f"and load the file:\n"
        f"    model = ember.vision.models.{name}()\n"
        f"    model.load_state_dict(ember.load('{name}-<hash>.pth'))")
