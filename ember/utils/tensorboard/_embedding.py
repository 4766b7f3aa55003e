"""The files the projector plugin reads for ``add_embedding``: vectors, labels, a sprite of
thumbnails, and the ``projector_config.pbtxt`` that points at them."""
import math
import os

import numpy as np
from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo

from ._convert import encode_png, make_grid


def write_tsv(mat, path):
    """One row of ``mat`` per line, tab-separated (``tensors.tsv``)."""
    with open(os.path.join(path, "tensors.tsv"), "wb") as f:
        for row in mat.tolist():  # tolist: Python floats, printed as torch's writer prints them
            f.write(("\t".join(str(v) for v in row) + "\n").encode())


def write_metadata(metadata, path, header=None):
    """One label per line (``metadata.tsv``), or a header line and tab-separated columns."""
    if header:
        if len(header) != len(metadata[0]):
            raise AssertionError("len of header must be equal to the number of columns in metadata")
        lines = ["\t".join(str(v) for v in row) for row in [header] + list(metadata)]
    else:
        lines = [str(v) for v in metadata]
    with open(os.path.join(path, "metadata.tsv"), "wb") as f:
        f.write(("\n".join(lines) + "\n").encode())


def write_sprite(label_img, path):
    """The NCHW thumbnails (values in [0, 1]) on a square grid (``sprite.png``)."""
    nrow = math.ceil(label_img.shape[0] ** 0.5)
    grid = make_grid(label_img, ncols=nrow).transpose(1, 2, 0)
    square = np.zeros((grid.shape[1], grid.shape[1], 3))  # the projector expects a square sprite
    square[:grid.shape[0]] = grid
    with open(os.path.join(path, "sprite.png"), "wb") as f:
        f.write(encode_png(np.uint8((square * 255).clip(0, 255))))


def embedding_info(tag, global_step, subdir, has_metadata, label_img):
    """The projector config entry for one embedding."""
    info = EmbeddingInfo(tensor_name=f"{tag}:{str(global_step).zfill(5)}", tensor_path=f"{subdir}/tensors.tsv")
    if has_metadata:
        info.metadata_path = f"{subdir}/metadata.tsv"
    if label_img is not None:
        info.sprite.image_path = f"{subdir}/sprite.png"
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])
    return info
