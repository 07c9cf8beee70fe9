"""Rayzani: public consultations as a bilingual static site built from a Git repository."""

__version__ = "0.1.0"
