"""Which OpenBLAS kernels torch loaded in this process (the Python benchmark scripts record it,
lib.sh's choose_openblas_coretype asks it)."""
import ctypes
import re


def blas_core():
    """OpenBLAS's kernel name as loaded by torch, or '' when the BLAS is not OpenBLAS."""
    import torch  # noqa: F401  (loads the BLAS whose kernels are asked for)
    with open("/proc/self/maps") as maps:
        paths = sorted(set(re.findall(r"\S*openblas\S*\.so\S*", maps.read())))
    for path in paths:
        try:
            fn = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_char_p
        return fn().decode()
    return ""
