"""Reporting: explanations in English and Simplified Chinese."""
