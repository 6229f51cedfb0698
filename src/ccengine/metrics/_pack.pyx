# cython: boundscheck=False, wraparound=False, language_level=3
def ping():
    return 1
