"""twcorpus library: Taiwan government open data -> licence-clean Traditional Chinese corpus.

Prefect-free by design: flows/ orchestrates these functions; everything here runs and tests alone.
"""

__version__ = "0.1.0"
