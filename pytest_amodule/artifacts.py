"""Pictures of a failing case: artifact files, previews for reports, segmentation overlays.

Only failing cases come here; a passing case does no picture work at all.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from amodule_core.cases import Case
from amodule_core.compare import Mismatch
from amodule_core.convert import encode_png, encode_png_data_url
from amodule_core.runner import OutputDiff

from .settings import Settings

__all__ = [
    "PREVIEW_SIDE",
    "FailureRecord",
    "OutputRecord",
    "case_folder",
    "overlay",
    "preview",
    "record_failure",
    "sanitize",
]

#: Longest side of the pictures embedded in reports (full size is in the artifact files).
PREVIEW_SIDE = 512
_LABELS = ("expected", "obtained", "diff", "overlay")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sanitize(text: str, limit: int = 120) -> str:
    """``text`` as one safe file name: ``a/b.py::process[0]`` -> ``a_b.py-process_0``."""
    name = _UNSAFE.sub("_", text.replace("::", "-")).strip("_.-") or "case"
    if len(name) > limit:
        digest = hashlib.sha1(text.encode()).hexdigest()[:10]
        name = f"{name[: limit - 11]}-{digest}"
    return name


def case_folder(artifacts_dir: Path, nodeid: str) -> Path:
    """The artifacts folder of the case ``nodeid``."""
    return artifacts_dir / sanitize(nodeid)


@dataclass
class OutputRecord:
    """The pictures of one differing output and the files written for it."""

    name: str
    index: int
    pictures: dict[str, np.ndarray] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    png: dict[str, bytes] = field(default_factory=dict)  # encoded once, for files and previews


@dataclass
class FailureRecord:
    """What :func:`record_failure` made for a failing case."""

    folder: Path | None
    outputs: list[OutputRecord]
    error: str = ""

    def message_lines(self, settings: Settings) -> list[str]:
        """Lines naming the artifact files (for the failure message)."""
        files = [path for record in self.outputs for path in record.files.values()]
        lines = []
        if files and self.folder is not None:
            lines.append(f"artifacts: {settings.shown(self.folder)}{os.sep}")
            lines.append("    " + "  ".join(path.name for path in files))
        if self.error:
            lines.append(f"artifacts could not be written: {self.error}")
        return lines

    def properties(self) -> list[tuple[str, object]]:
        """``(name, path)`` pairs for junit XML: ``amodule.mask.diff``."""
        return [
            (f"amodule.{record.name}.{label}", str(path))
            for record in self.outputs
            for label, path in record.files.items()
        ]

    def report_data(self, settings: Settings) -> list[dict[str, Any]]:
        """Plain data (serializable by xdist) for the HTML report and pytest-html."""
        data = []
        for record in self.outputs:
            pictures = []
            for label, picture in record.pictures.items():
                pictures.append({
                    "label": label,
                    "src": preview_data_url(picture, label, record.png.get(label)) if settings.previews else None,
                    "file": str(record.files[label]) if label in record.files else None,
                })
            data.append({"name": record.name, "index": record.index, "pictures": pictures})
        return data


def record_failure(
    settings: Settings, nodeid: str, case: Case, outputs: tuple[Any, ...], diffs: list[OutputDiff]
) -> FailureRecord:
    """Make the pictures of every differing output and write them to the case's folder.

    Writing problems (a full disk, no permission) are reported in the record, never raised:
    they must not hide the case's own failure.
    """
    records = []
    for diff in diffs:
        record = _pictures(case, diff)
        if record.pictures or record.arrays:
            records.append(record)
    if not records:
        return FailureRecord(None, [])
    folder = case_folder(settings.artifacts_dir, nodeid)
    try:
        _write(folder, records)
    except OSError as exc:
        return FailureRecord(folder, records, f"{type(exc).__name__}: {exc}")
    return FailureRecord(folder, records)


def _pictures(case: Case, diff: OutputDiff) -> OutputRecord:
    mismatch: Mismatch = diff.mismatch
    record = OutputRecord(diff.arg.name, diff.arg.index)
    expected, obtained = mismatch.expected, mismatch.actual
    for label, value in (("expected", expected), ("obtained", obtained)):
        picture = Mismatch.to_picture(value)
        if picture is not None:
            record.pictures[label] = picture
        if isinstance(value, np.ndarray) and value.dtype != np.uint8:
            record.arrays[label] = value
    if mismatch.is_image():
        picture = mismatch.diff_image()
        if picture is not None:
            record.pictures["diff"] = picture
    category = diff.arg.category
    if category is not None and category.name == "segmentation" and "obtained" in record.pictures:
        image = _input_image(case, np.shape(obtained)[:2])
        if image is not None:
            record.pictures["overlay"] = overlay(image, obtained, expected)
    return record


def _input_image(case: Case, size: tuple[int, ...]) -> np.ndarray | None:
    """The first input picture of the given (h, w), for a segmentation overlay."""
    try:
        inputs = case.inputs
    except Exception:  # undecodable input data has its own failure; no overlay then
        return None
    for value in inputs:
        picture = Mismatch.to_picture(value)
        if picture is not None and picture.shape[:2] == size:
            return picture
    return None


def _write(folder: Path, records: list[OutputRecord]) -> None:
    if folder.exists():  # pictures of an earlier failure of this case are stale now
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    used: set[str] = set()
    for record in records:
        stem = sanitize(record.name, 60)
        if stem in used:
            stem = f"{stem}-{record.index}"
        used.add(stem)
        for label in _LABELS:
            if label in record.pictures:
                path = folder / f"{stem}.{label}.png"
                record.png[label] = encode_png(record.pictures[label])
                path.write_bytes(record.png[label])
                record.files[label] = path
        for label, array in record.arrays.items():
            path = folder / f"{stem}.{label}.npy"
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            path.write_bytes(buffer.getvalue())
            record.files[f"{label}.npy"] = path


def overlay(image: np.ndarray, obtained: Any, expected: Any) -> np.ndarray:
    """The input ``image`` (dimmed) with the segmentation masks over it, as RGB uint8:
    green where both masks are set, red where only the obtained one is, blue where only
    the expected one is."""
    rgb = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    out = (rgb[..., :3].astype(np.uint16) // 2).astype(np.uint8)
    got = _foreground(obtained)
    want = _foreground(expected) if np.shape(expected)[:2] == got.shape else got
    for mask, colour in (
        (got & want, (0, 200, 0)),
        (got & ~want, (230, 30, 30)),
        (~got & want, (40, 90, 255)),
    ):
        out[mask] = out[mask] // 2 + np.array(colour, dtype=np.uint8) // 2
    return out


def _foreground(mask: Any) -> np.ndarray:
    array = np.asarray(mask)
    set_ = array != 0
    return set_.any(axis=2) if set_.ndim == 3 else set_


def preview(picture: np.ndarray, side: int = PREVIEW_SIDE, *, keep_peaks: bool = False) -> np.ndarray:
    """``picture`` shrunk by an integer factor so no side is over ``side`` pixels.

    Blocks are averaged, or, with ``keep_peaks`` (diff pictures), their brightest value is
    kept so that a single differing pixel stays visible.
    """
    height, width = picture.shape[:2]
    factor = math.ceil(max(height, width) / side)
    if factor <= 1:
        return picture
    pad_h, pad_w = (-height) % factor, (-width) % factor
    pad = ((0, pad_h), (0, pad_w)) + ((0, 0),) * (picture.ndim - 2)
    padded = np.pad(picture, pad, mode="edge")
    shape = (padded.shape[0] // factor, factor, padded.shape[1] // factor, factor) + picture.shape[2:]
    blocks = padded.reshape(shape)
    if keep_peaks:
        return blocks.max(axis=(1, 3))
    return np.rint(blocks.mean(axis=(1, 3))).astype(np.uint8)


def preview_data_url(picture: np.ndarray, label: str = "", png: bytes | None = None) -> str:
    """A PNG data URL of the preview of ``picture``; ``png``, the picture already encoded,
    is reused when the picture is small enough to be its own preview."""
    small = preview(picture, keep_peaks=label == "diff")
    if small is picture and png is not None:
        return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return encode_png_data_url(small)

