"""Experiment: fine-tuning the converted e5 model on question/procedure pairs from the catalogue.

Every pair comes from a record's own fields, so what is learned covers all procedures and no
evaluation question: the procedure's name as a citizen would say it (without "Thủ tục",
lower case, sometimes without diacritics), its curated aliases, and the paper it gives
("xin giấy khai sinh"), each against the passage the retriever encodes for that procedure.
Training is sentence-transformers' own trainer with in-batch negatives
(MultipleNegativesRankingLoss); the word embeddings stay frozen, so only the transformer
layers change. Needs the ``st`` extra plus ``datasets`` and ``accelerate``
(``pip install "sentence-transformers[train]"``). Not shipped: on the shared 2 cores it did
not beat the base model (docs/retrieval.md, "sentence-transformers").

    nice -n 15 python bench/st_finetune.py BASE OUT --minutes 14 --threads 2
    python bench/st_encoder.py st:BASE st:OUT
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.catalogue_files import load_catalogue  # noqa: E402
from knowledge.retriever import _dense_text  # noqa: E402
from knowledge.schema import Procedure  # noqa: E402
from knowledge.text import fold  # noqa: E402

_LEADING = re.compile(r"^(thủ tục|tthc)\s+", re.IGNORECASE)


def _said(name: str) -> str:
    """A procedure's name as a citizen types it: no "Thủ tục", lower case, one line."""
    return _LEADING.sub("", " ".join(name.split())).lower().rstrip(" .")


def _picks(code: str, salt: str) -> bool:
    """A stable coin toss per procedure (half of them get a variant)."""
    return hashlib.sha1(f"{salt}:{code}".encode()).digest()[0] % 2 == 0


def derive_pairs(
    procedures: Iterable[Procedure], passage: Callable[[Procedure], str]
) -> list[tuple[str, str]]:
    """(question, passage) pairs from each procedure's own fields."""
    pairs: list[tuple[str, str]] = []
    for procedure in procedures:
        target = passage(procedure)
        said = _said(procedure.name)
        questions = [said]
        if _picks(procedure.code, "folded"):
            questions.append(fold(said))
        questions += [alias.lower() for alias in procedure.aliases]
        result = " ".join(procedure.result.split()).lower()
        if 3 <= len(result) <= 80 and _picks(procedure.code, "result"):
            questions.append(f"xin {result}")
        seen: set[str] = set()
        for question in questions:
            if question and question not in seen:
                seen.add(question)
                pairs.append((question, target))
    return pairs


def finetune(
    base: Path,
    out: Path,
    pairs: list[tuple[str, str]],
    max_steps: int,
    max_minutes: float | None = None,
    batch_size: int = 32,
    learning_rate: float = 2e-5,
    seed: int = 13,
    log: Callable[[str], None] = print,
) -> Path:
    """Train ``base`` on ``pairs`` for at most ``max_steps`` batches (and, with
    ``max_minutes``, no longer than that wall time) and save it at ``out``."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        losses,
    )
    from sentence_transformers.training_args import BatchSamplers
    from transformers import TrainerCallback

    started = time.perf_counter()

    class WallClock(TrainerCallback):
        """Stops training once the wall-time budget is spent."""

        steps = 0

        def on_step_end(self, args, state, control, **kwargs):
            WallClock.steps = state.global_step
            if max_minutes is not None and time.perf_counter() - started > 60 * max_minutes:
                control.should_training_stop = True
            if state.global_step % 10 == 0:
                log(f"step {state.global_step}: {time.perf_counter() - started:.0f} s")
            return control

    model = SentenceTransformer(str(base), device="cpu", local_files_only=True)
    model.max_seq_length = 64  # names and aliases are short; the passages fit too
    model[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
    data = Dataset.from_dict(
        {
            "anchor": [f"query: {q}" for q, _ in pairs],
            "positive": [f"passage: {p}" for _, p in pairs],
        }
    )
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out.with_name(out.name + ".trainer")),
        max_steps=max_steps,
        per_device_train_batch_size=batch_size,
        learning_rate=learning_rate,
        warmup_steps=max(1, min(max_steps // 10, 20)),
        lr_scheduler_type="constant_with_warmup",  # a wall-clock stop may end it anywhere
        seed=seed,
        data_seed=seed,
        save_strategy="no",
        logging_steps=25,
        report_to="none",
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        use_cpu=True,
        dataloader_num_workers=0,
    )
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=data,
        loss=losses.MultipleNegativesRankingLoss(model),
        callbacks=[WallClock()],
    )
    trainer.train()
    spent = time.perf_counter() - started
    log(f"trained {WallClock.steps} steps on {len(pairs)} pairs in {spent:.0f} s")
    model.max_seq_length = 512
    model.save(str(out))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="fine-tune a converted e5 model (experiment)")
    parser.add_argument("base", help="the sentence-transformers folder to start from")
    parser.add_argument("out", help="where to write the fine-tuned folder")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--minutes", type=float, default=14.0, help="wall-time budget")
    parser.add_argument("--steps", type=int, default=2000, help="at most this many batches")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    catalogue = load_catalogue(Path(args.shared) / "catalogue" / "dvc-national-2026.jsonl.gz")
    pairs = derive_pairs(catalogue, _dense_text)
    print(f"{len(pairs)} pairs from {len(catalogue)} procedures", flush=True)
    finetune(
        Path(args.base),
        Path(args.out),
        pairs,
        max_steps=args.steps,
        max_minutes=args.minutes,
        log=lambda line: print(line, flush=True),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
