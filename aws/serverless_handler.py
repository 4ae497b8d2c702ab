"""The handler as sls offline finds it: ../src first on the path, then the real entry point.

serverless-offline imports the function's handler from this folder; the deployed function's
code root is ../src itself (build.py zips it), where this file does not go.
"""

import os
import runpy
import sys

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

handler = runpy.run_path(os.path.join(SRC, "serverless_handler.py"))["handler"]
