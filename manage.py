#!/usr/bin/env python
from aftersales.cli import main

if __name__ == "__main__":
    main()
