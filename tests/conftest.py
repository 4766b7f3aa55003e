import os
import sys

# tests import their shared helpers as `from helpers import ...`, from any sub-folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
