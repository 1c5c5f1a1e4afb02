"""auditrules: audit customer-service routing configs and ticket histories against fairness rules."""

__version__ = "0.1.0"

__all__ = ["__version__"]
