"""hallclient: the window workstation for government service halls (政务服务大厅)."""

__version__ = "0.1.0"
