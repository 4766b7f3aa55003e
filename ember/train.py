"""``ember train``: the whole lecture on real data.

A classifier for the handwritten digits that scikit-learn ships (or a user's own .npz/CSV),
trained with everything the lecture teaches: a CNN with batch normalization and dropout,
augmentation on the training split only, a validation split, cross-entropy, an optimizer
and a learning-rate scheduler, early stopping, TensorBoard logs, the best checkpoint saved,
a progress bar per epoch and a plot of the curves.
"""
import csv
import math
import os
import time

import numpy as np


class DataError(ValueError):
    """A data file that cannot be used, with a message for the user (never a traceback)."""


# ---------------------------------------------------------------- data
def load_digits_arrays(with_scale=False):
    """The digits as (images in [0, 1], labels), and with `with_scale` the divisor that made them
    (16: the pixels are 0..16)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DataError("the built-in digits data needs scikit-learn: pip install 'ember[train]'") from None
    d = load_digits()
    x, y = d.images[:, None].astype(np.float32) / 16.0, d.target.astype(np.int64)
    return (x, y, 16.0) if with_scale else (x, y)


def load_user_arrays(path, with_scale=False):
    """Images and labels from a .npz (arrays 'x'/'X' and 'y') or a CSV (pixels..., label); with
    `with_scale` also the divisor that scaled the pixels to [0, 1] (1 if they were already)."""
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    if path.endswith(".npz"):
        try:
            with np.load(path, allow_pickle=False) as f:
                keys = {k.lower(): k for k in f.files}
                if "x" not in keys or "y" not in keys:
                    raise DataError(f"{path}: expected arrays 'x' (images) and 'y' (labels), found {f.files}")
                x, y = f[keys["x"]], f[keys["y"]]
        except (ValueError, OSError) as e:
            raise DataError(f"{path}: not a readable .npz file ({e})") from None
    elif path.endswith(".csv"):
        x, y = _read_csv(path)
    else:
        raise DataError(f"{path}: use a .npz file (arrays x, y) or a .csv file (pixel columns, then a label)")
    x, y = _check_arrays(np.asarray(x), np.asarray(y), path)
    return (x, y, _last_scale[0]) if with_scale else (x, y)


def _read_csv(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    if not rows:
        raise DataError(f"{path}: the file is empty")
    if any(not _is_number(v) for v in rows[0]):
        rows = rows[1:]  # a header line
    if not rows:
        raise DataError(f"{path}: no data rows after the header")
    width = len(rows[0])
    if width < 2:
        raise DataError(f"{path}: need pixel columns and a label column, found {width} column(s)")
    for i, r in enumerate(rows, 1):
        if len(r) != width:
            raise DataError(f"{path}: row {i} has {len(r)} columns, expected {width}")
        for v in r:
            if not _is_number(v):
                raise DataError(f"{path}: row {i} has a non-numeric value {v!r}")
    data = np.array(rows, dtype=np.float64)
    return data[:, :-1], data[:, -1]


def _is_number(v):
    try:
        return math.isfinite(float(v))
    except ValueError:
        return False


def _check_arrays(x, y, path):
    if x.dtype.kind not in "fiub" or y.dtype.kind not in "fiub":
        raise DataError(f"{path}: images and labels must be numeric, got {x.dtype} and {y.dtype}")
    if y.ndim != 1:
        raise DataError(f"{path}: labels must be one per sample (shape (N,)), got shape {y.shape}")
    if len(x) != len(y):
        raise DataError(f"{path}: {len(x)} images but {len(y)} labels")
    if len(y) < 10:
        raise DataError(f"{path}: need at least 10 samples, got {len(y)}")
    if np.any(y != np.round(y)) or y.min() < 0:
        raise DataError(f"{path}: labels must be non-negative integers")
    if not np.all(np.isfinite(x)):
        raise DataError(f"{path}: images contain NaN or infinite values")
    if x.ndim == 2:  # flat rows: square images
        side = int(round(math.sqrt(x.shape[1])))
        if side * side != x.shape[1]:
            raise DataError(f"{path}: {x.shape[1]} pixel columns do not make a square image")
        x = x.reshape(len(x), side, side)
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4:
        raise DataError(f"{path}: images must have shape (N, H, W) or (N, C, H, W), got {x.shape}")
    x = x.astype(np.float32)
    hi = x.max()
    _last_scale[0] = float(hi) if hi > 1 else 1.0
    if hi > 1:
        x = x / hi  # scale to [0, 1]
    return x, y.astype(np.int64)


_last_scale = [1.0]  # the divisor _check_arrays last used


# ---------------------------------------------------------------- models
def make_model(kind, in_shape, num_classes):
    from . import nn
    c, h, w = in_shape
    if kind == "mlp":
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(c * h * w, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(64, num_classes))
    return nn.Sequential(
        nn.Conv2d(c, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25),
        nn.Linear(32 * (h // 2) * (w // 2), 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, num_classes))


# ---------------------------------------------------------------- training
def _progress(iterable, desc, total):
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, total=total, leave=False, ncols=80, disable=None)  # off when not a terminal


def evaluate(model, loader, loss_fn):
    import ember
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with ember.no_grad():
        for x, y in loader:
            out = model(x)
            loss_sum += loss_fn(out, y).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
    return loss_sum / total, correct / total


def run(args):
    import ember
    from .utils.data import TensorDataset, DataLoader, random_split, Dataset
    from .utils.early_stopping import EarlyStopping
    from .vision import transforms as T

    ember.set_num_threads(args.threads)
    rank, world = _start_ranks(args)  # (0, 1) unless `--nproc N` started this under mpiexec
    ember.manual_seed(args.seed)
    x, y, scale = load_user_arrays(args.data, with_scale=True) if args.data else load_digits_arrays(with_scale=True)
    num_classes = int(y.max()) + 1
    full = TensorDataset(ember.from_numpy(np.ascontiguousarray(x)), ember.from_numpy(y))
    n_test = max(1, int(0.2 * len(full)))
    n_val = max(1, int(0.15 * len(full)))
    train_set, val_set, test_set = random_split(full, [len(full) - n_val - n_test, n_val, n_test],
                                                generator=ember.Generator().manual_seed(args.seed))

    augment = T.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1))

    class Augmented(Dataset):
        """The training split only, with random affine augmentation per image."""

        def __init__(self, base):
            self.base = base

        def __len__(self):
            return len(self.base)

        def __getitem__(self, i):
            img, label = self.base[i]
            return augment(img), label

    train_data = Augmented(train_set) if args.augment else train_set
    if world > 1:  # each rank its share of every epoch; together they make batches of --batch-size
        from .utils.data.distributed import DistributedSampler
        train_loader = DataLoader(train_data, batch_size=max(1, args.batch_size // world),
                                  sampler=DistributedSampler(train_data, seed=args.seed))
    else:
        train_loader = DataLoader(train_data, batch_size=args.batch_size, shuffle=True,
                                  generator=ember.Generator().manual_seed(args.seed))
    val_loader = DataLoader(val_set, batch_size=256)
    test_loader = DataLoader(test_set, batch_size=256)

    model = make_model(args.model, tuple(x.shape[1:]), num_classes)
    net = model if world == 1 else _data_parallel(model, rank, args.seed)
    loss_fn = ember.nn.CrossEntropyLoss()
    opt_cls = {"adam": ember.optim.Adam, "adamw": ember.optim.AdamW, "sgd": ember.optim.SGD,
               "rmsprop": ember.optim.RMSprop}[args.optimizer]
    opt_kwargs = {"momentum": 0.9} if args.optimizer == "sgd" else {}
    optimizer = opt_cls(model.parameters(), lr=args.lr, **opt_kwargs)
    scheduler = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    os.makedirs(args.out, exist_ok=True)
    best_path = os.path.join(args.out, "best.pt")
    stopper = EarlyStopping(patience=args.patience, mode="min", path=best_path if rank == 0 else None)
    writer = _writer(os.path.join(args.out, "runs", time.strftime("%Y%m%d-%H%M%S"))) if rank == 0 else None
    history = {"train_loss": [], "val_loss": [], "val_acc": []}

    print(f"ember train: {args.model} on {'digits' if not args.data else args.data} "
          f"({len(train_set)} train / {len(val_set)} validation / {len(test_set)} test images of "
          f"{'x'.join(map(str, x.shape[1:]))}), {args.optimizer} lr {args.lr}, seed {args.seed}")
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        if world > 1:
            train_loader.sampler.set_epoch(epoch)
        seen, loss_sum = 0, 0.0
        for xb, yb in _progress(train_loader, f"epoch {epoch + 1:3d}", len(train_loader)):
            optimizer.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(yb)
            seen += len(yb)
        scheduler.step()
        train_loss = loss_sum / seen if world == 1 else _global_mean(loss_sum, seen)
        val_loss, val_acc = evaluate(model, val_loader, loss_fn)
        for k, v in (("train_loss", train_loss), ("val_loss", val_loss), ("val_acc", val_acc)):
            history[k].append(v)
        if writer is not None:
            writer.add_scalars("loss", {"train": train_loss, "validation": val_loss}, epoch)
            writer.add_scalar("accuracy/validation", val_acc, epoch)
            writer.add_scalar("lr", scheduler.get_last_lr()[0], epoch)
        print(f"epoch {epoch + 1:3d}  train loss {train_loss:.4f}  val loss {val_loss:.4f}  "
              f"val acc {val_acc:.4f}")
        if stopper.step(val_loss, model):
            print(f"early stopping: no improvement for {args.patience} epochs")
            break
    stopper.restore(model)
    if world > 1:  # every rank holds the same model; rank 0 alone tests, saves and exports it
        if rank != 0:
            return None
        model = _plain_model(model, args.model, tuple(x.shape[1:]), num_classes)
    meta = checkpoint_meta(args.model, tuple(x.shape[1:]), [str(i) for i in range(num_classes)], scale)
    if stopper.best_state is not None:  # best.pt again, now with what rebuilds the model and its inputs
        save_checkpoint(model, meta, best_path)
    onnx_path = _export_onnx(model, meta, os.path.join(args.out, "model.onnx"))
    test_loss, test_acc = evaluate(model, test_loader, loss_fn)
    elapsed = time.perf_counter() - start
    if writer is not None:
        writer.add_scalar("accuracy/test", test_acc, stopper.best_epoch)
        writer.close()
    plot = _plot(history, os.path.join(args.out, "curves.png"))
    print(f"\ntest accuracy {test_acc:.4f} (test loss {test_loss:.4f}) with the best epoch "
          f"({stopper.best_epoch + 1}); {elapsed:.1f} s")
    print(f"best checkpoint: {best_path}")
    if onnx_path:
        print(f"ONNX model: {onnx_path}")
    if writer is not None:
        print(f"TensorBoard logs: {writer.get_logdir()}   (view: tensorboard --logdir {os.path.join(args.out, 'runs')})")
    if plot:
        print(f"curves: {plot}")
    return test_acc


# ---------------------------------------------------------------- checkpoints that rebuild their model
# best.pt stays a plain state_dict (model.load_state_dict(ember.load(path)) works, in torch too);
# what rebuilds the model and preprocesses its inputs rides in the state_dict's own metadata,
# ``state._metadata[""]["ember_train"]``: plain dicts, lists, strings and numbers, which the
# weights-only loader reads without running any code.
META_KEY = "ember_train"


def checkpoint_meta(arch, input_shape, classes, scale=1.0, mean=None, std=None):
    """The metadata ``ember train`` stores: a model's input x (in the training data's units)
    becomes ``(x / scale - mean) / std`` per channel before the forward pass."""
    c = int(input_shape[0])
    return {"format": "ember-train/1", "arch": arch,
            "arch_args": {"in_shape": [int(v) for v in input_shape], "num_classes": len(classes)},
            "input_shape": [int(v) for v in input_shape], "classes": [str(k) for k in classes],
            "scale": float(scale), "mean": [0.0] * c if mean is None else [float(v) for v in mean],
            "std": [1.0] * c if std is None else [float(v) for v in std],
            "value_range": [0.0, float(scale)]}


def save_checkpoint(model, meta, path):
    """Save `model`'s state_dict with `meta` (see checkpoint_meta) in its metadata."""
    import ember
    state = model.state_dict()
    state._metadata[""] = {**state._metadata.get("", {}), META_KEY: meta}
    ember.save(state, path)


def checkpoint_metadata(path_or_state):
    """The metadata ``ember train`` stored in a checkpoint (a path or a loaded state_dict);
    None for a state_dict saved without it."""
    import ember
    state = ember.load(path_or_state) if isinstance(path_or_state, (str, os.PathLike)) else path_or_state
    return (getattr(state, "_metadata", None) or {}).get("", {}).get(META_KEY)


def load_checkpoint_model(path):
    """``(model, meta)`` from a checkpoint ``ember train`` wrote (a file, or the folder that holds
    best.pt): the model rebuilt from its architecture and arguments, weights loaded, in eval mode.
    Raises ValueError for a checkpoint without the metadata."""
    import ember
    if os.path.isdir(path):
        path = os.path.join(path, "best.pt")
    state = ember.load(path)
    meta = checkpoint_metadata(state)
    if meta is None:
        raise ValueError(f"{path}: no model description in this checkpoint (not written by `ember train`, "
                         "or by a version before it stored one)")
    args = meta["arch_args"]
    model = make_model(meta["arch"], tuple(args["in_shape"]), args["num_classes"])
    model.load_state_dict(state)
    return model.eval(), meta


def export_checkpoint(path, out, opset_version=None):
    """Write the ONNX file for a checkpoint ``ember train`` wrote (input "input", output "logits",
    a dynamic batch axis)."""
    model, meta = load_checkpoint_model(path)
    return export_model(model, meta, out, opset_version)


def export_model(model, meta, path, opset_version=None):
    import ember
    from . import onnx
    x = ember.zeros(2, *meta["input_shape"])
    onnx.export(model, (x,), path, input_names=["input"], output_names=["logits"], opset_version=opset_version,
                dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return path


def _export_onnx(model, meta, path):
    """model.onnx beside best.pt (skipped with a note when the onnx extra is missing)."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("(model.onnx skipped: pip install 'ember[onnx]')")
        return None
    try:
        return export_model(model, meta, path)
    except Exception as e:  # the training and best.pt are kept whatever happens here
        print(f"(model.onnx not written: {type(e).__name__}: {e})")
        return None


# ---------------------------------------------------------------- data-parallel (`--nproc N`)
def _start_ranks(args):
    """Join the MPI process group when started with --nproc N; other ranks than 0 print nothing
    (logging, TensorBoard, checkpoints and the plot are rank 0's)."""
    if getattr(args, "nproc", 1) <= 1:
        return 0, 1
    import sys
    from . import distributed as dist
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    if rank != 0:
        sys.stdout = open(os.devnull, "w")
    else:
        print(f"data-parallel on {dist.get_world_size()} processes (MPI)")
    return rank, dist.get_world_size()


def _data_parallel(model, rank, seed):
    """DistributedDataParallel over SyncBatchNorm (statistics of the global batch, as one
    process has); dropout and augmentation then draw differently on each rank."""
    import ember
    from .nn.parallel import DistributedDataParallel
    net = DistributedDataParallel(ember.nn.SyncBatchNorm.convert_sync_batchnorm(model))
    ember.manual_seed(seed + 1000 * rank)
    return net


def _global_mean(total, count):
    import ember
    from . import distributed as dist
    t = ember.tensor([total, count], dtype=ember.float64)
    dist.all_reduce(t)
    return t[0].item() / t[1].item()


def _plain_model(model, arch, in_shape, num_classes):
    """The trained weights in a fresh model with plain BatchNorm (what best.pt describes)."""
    plain = make_model(arch, in_shape, num_classes)
    plain.load_state_dict(model.state_dict())
    return plain



def _writer(logdir):
    try:
        from .utils.tensorboard import SummaryWriter
        return SummaryWriter(logdir)
    except ImportError:
        print("(TensorBoard logs skipped: pip install 'ember[train]')")
        return None


def _plot(history, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(plot skipped: pip install 'ember[train]')")
        return None
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(epochs, history["train_loss"], label="train")
    a.plot(epochs, history["val_loss"], label="validation")
    a.set_xlabel("epoch")
    a.set_ylabel("cross-entropy loss")
    a.legend()
    b.plot(epochs, history["val_acc"], label="validation", color="C1")
    b.set_xlabel("epoch")
    b.set_ylabel("accuracy")
    b.legend()
    fig.tight_layout()
    from .serialization import atomic_write
    atomic_write(path, lambda fh: fig.savefig(fh, format="png", dpi=100))  # a reader never sees half a PNG
    plt.close(fig)
    return path


def add_arguments(p):
    p.add_argument("--model", choices=["cnn", "mlp"], default="cnn", help="network (default: cnn)")
    p.add_argument("--epochs", type=int, default=20, help="maximum epochs (default: 20)")
    p.add_argument("--lr", type=float, default=3e-3, help="learning rate (default: 3e-3)")
    p.add_argument("--batch-size", type=int, default=64, help="batch size (default: 64)")
    p.add_argument("--optimizer", choices=["adam", "adamw", "sgd", "rmsprop"], default="adam")
    p.add_argument("--patience", type=int, default=5, help="early-stopping patience in epochs (default: 5)")
    p.add_argument("--no-augment", dest="augment", action="store_false", help="train without augmentation")
    p.add_argument("--seed", type=int, default=0)
    # one BLAS thread: these small layers gain little from two, and two threads stall badly
    # whenever another process holds a core
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default: 1)")
    p.add_argument("--data", help="your own data: .npz with arrays x, y or .csv (pixels..., label)")
    p.add_argument("--out", default="runs/ember-train", help="folder for logs, checkpoint and plot")


def check_arguments(parser, args):
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if not args.lr > 0:
        parser.error("--lr must be positive")
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    if args.patience < 0:
        parser.error("--patience must be non-negative")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
