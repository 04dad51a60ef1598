"""``python -m rongxin.bench.load``: the child of ``rongxin bench load`` (internal)."""

from rongxin.bench.load.child import main

if __name__ == "__main__":
    main()
