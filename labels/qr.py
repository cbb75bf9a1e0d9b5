"""QR matrices: the qrcode library's layout for each size, with the data filled in by a fast path of our own.

qrcode builds each code in pure Python one bit at a time (a bit buffer, Reed-Solomon by polynomial
objects, a mask function called per module): 1.3 ms a code, two thirds of a label sheet's time. What
varies between two labels of one size is only the data: so the size's frame (finders, timing, alignment,
format and version information, as qrcode places them) and the order in which data modules are placed
are worked out once per size, from qrcode itself, and each code is then its codewords (packed as one
integer, error correction from log tables) laid into that order. The result is module for module the
matrix qrcode makes with the same mask (a test compares them), at a tenth of the cost.
"""

from __future__ import annotations

import re
from functools import lru_cache

import qrcode
from qrcode import base, util
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of blank margin the QR standard asks for on every side
# Every one of the standard's eight masks makes a valid code that every reader decodes. Letting qrcode
# score all eight (to pick the one with the fewest awkward patterns) builds the matrix eight times; our
# payloads are short upper-case URLs, and the tests decode them. Mask 0 darkens (row + column) even.
MASK = 0
ERROR_CORRECTION = ERROR_CORRECT_M  # M (15%) survives a scuffed label without making the code much bigger
_PADS = (0xEC, 0x11)

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1, as log and antilog tables.
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


def library_matrix(payload: str) -> list[list[bool]]:
    """The matrix as qrcode alone makes it (the reference the fast path must equal, and the benchmark's)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0, mask_pattern=MASK)
    code.add_data(payload, optimize=0)
    code.make(fit=True)
    return code.get_matrix()


def matrix(payload: str) -> list[list[bool]]:
    """The code's dark (True) and light modules, without the quiet zone: see `rows`."""
    return [[module == "1" for module in row] for row in rows(payload)]


def rows(payload: str) -> list[str]:
    """The code's rows as strings of "1" (dark) and "0" (light), without the quiet zone. Error correction
    M, mask 0, in the smallest size that holds the payload, exactly as qrcode would make it."""
    data = util.QRData(payload)
    size = _size(data.mode, len(data))
    bits = (_codewords(data, size.version) << size.remainder_bits) ^ size.mask_bits
    modules = size.frame[:]
    for place, bit in zip(size.places, format(bits, f"0{len(size.places)}b"), strict=True):
        modules[place] = bit
    width = size.width
    return ["".join(modules[start : start + width]) for start in range(0, width * width, width)]


def runs(rows: list[str] | list[list[bool]]):
    """Horizontal runs of dark modules as (row, first column, length): far fewer shapes to draw."""
    for y, row in enumerate(rows):
        text = row if isinstance(row, str) else "".join("1" if dark else "0" for dark in row)
        for run in _DARK_RUN.finditer(text):
            yield y, run.start(), run.end() - run.start()


_DARK_RUN = re.compile("1+")


class _Size:
    """One QR version with our mask and error correction: what every code of that size shares."""

    def __init__(self, version: int):
        self.version = version
        code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECTION, border=0, mask_pattern=MASK)
        self.width = width = version * 4 + 17
        # qrcode's own frame: everything but the data is set; data modules are still None.
        code.modules_count = width
        code.modules = [[None] * width for _ in range(width)]
        code.setup_position_probe_pattern(0, 0)
        code.setup_position_probe_pattern(width - 7, 0)
        code.setup_position_probe_pattern(0, width - 7)
        code.setup_position_adjust_pattern()
        code.setup_timing_pattern()
        code.setup_type_info(False, MASK)
        if version >= 7:
            code.setup_type_number(False)
        frame = code.modules
        self.places = _data_places(frame)
        self.frame = ["0" if m is None else ("1" if m else "0") for row in frame for m in row]
        flips = "".join("1" if (p // width + p % width) % 2 == 0 else "0" for p in self.places)
        self.mask_bits = int(flips, 2)
        self.blocks = [(b.data_count, b.total_count - b.data_count) for b in base.rs_blocks(version, ERROR_CORRECTION)]
        self.data_codewords = sum(data for data, _ in self.blocks)
        self.remainder_bits = len(self.places) - 8 * sum(data + ec for data, ec in self.blocks)


def _data_places(frame: list[list[bool | None]]) -> list[int]:
    """Where data modules go, in the order the standard fills them (qrcode's map_data): up and down
    two-column strips from the right, skipping the vertical timing column; as indexes row * width + column."""
    width = len(frame)
    places = []
    upward = True
    column = width - 1
    while column > 0:
        if column == 6:
            column -= 1
        for row in range(width - 1, -1, -1) if upward else range(width):
            for c in (column, column - 1):
                if frame[row][c] is None:
                    places.append(row * width + c)
        upward = not upward
        column -= 2
    return places


@lru_cache(maxsize=64)
def _size(mode: int, length: int) -> _Size:
    """The smallest version holding `length` characters in `mode`, as qrcode's own fitting finds it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0, mask_pattern=MASK)
    code.add_data(util.QRData(b"0" * length if mode == util.MODE_8BIT_BYTE else "0" * length, mode=mode))
    return _Size(code.best_fit())


@lru_cache(maxsize=16)
def _products(ec_count: int) -> list[tuple[int, ...]]:
    """For each byte value, its product with the Reed-Solomon generator polynomial (after the leading 1):
    one table look-up per data codeword instead of a multiplication per coefficient."""
    poly = [1]
    for i in range(ec_count):
        # multiply by (x - a^i): in GF(2^8) minus is plus
        nxt = poly + [0]
        for j, coefficient in enumerate(poly):
            if coefficient:
                nxt[j + 1] ^= _EXP[_LOG[coefficient] + i]
        poly = nxt
    logs = [_LOG[c] for c in poly[1:]]
    table = [(0,) * ec_count]
    for factor in range(1, 256):
        table.append(tuple(_EXP[_LOG[factor] + g] for g in logs))
    return table


def _error_correction(data: list[int], ec_count: int) -> list[int]:
    products = _products(ec_count)
    remainder = [0] * ec_count
    for codeword in data:
        shifted = remainder[1:]
        shifted.append(0)
        remainder = [r ^ p for r, p in zip(shifted, products[codeword ^ remainder[0]], strict=True)]
    return remainder


def _codewords(data: util.QRData, version: int) -> int:
    """Mode, length, the data, terminator and padding, each block's error correction, interleaved as the
    standard orders them: all as one integer of 8 bits a codeword."""
    size = _size(data.mode, len(data))
    value, count = data.mode, 4
    length_bits = util.length_in_bits(data.mode, version)
    value, count = (value << length_bits) | len(data), count + length_bits
    raw = data.data
    if data.mode == util.MODE_ALPHA_NUM:
        text = raw.decode("ascii")
        for i in range(0, len(text) - 1, 2):
            value, count = (value << 11) | (_ALNUM[text[i]] * 45 + _ALNUM[text[i + 1]]), count + 11
        if len(text) % 2:
            value, count = (value << 6) | _ALNUM[text[-1]], count + 6
    elif data.mode == util.MODE_NUMBER:
        for i in range(0, len(raw), 3):
            digits = raw[i : i + 3]
            value, count = (
                (value << util.NUMBER_LENGTH[len(digits)]) | int(digits),
                count + util.NUMBER_LENGTH[len(digits)],
            )
    else:
        value, count = (value << 8 * len(raw)) | int.from_bytes(raw, "big"), count + 8 * len(raw)
    limit = 8 * size.data_codewords
    terminator = min(limit - count, 4)
    value, count = value << terminator, count + terminator
    if count % 8:
        pad = 8 - count % 8
        value, count = value << pad, count + pad
    codewords = list(value.to_bytes(count // 8, "big"))
    codewords += [_PADS[i % 2] for i in range(size.data_codewords - len(codewords))]

    data_blocks, ec_blocks, offset = [], [], 0
    for data_count, ec_count in size.blocks:
        block = codewords[offset : offset + data_count]
        offset += data_count
        data_blocks.append(block)
        ec_blocks.append(_error_correction(block, ec_count))
    ordered = [b[i] for i in range(max(len(b) for b in data_blocks)) for b in data_blocks if i < len(b)]
    ordered += [b[i] for i in range(max(len(b) for b in ec_blocks)) for b in ec_blocks if i < len(b)]
    return int.from_bytes(bytes(ordered), "big")


_ALNUM = {symbol: i for i, symbol in enumerate(util.ALPHA_NUM.decode("ascii"))}
