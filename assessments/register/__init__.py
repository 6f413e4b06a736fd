"""The record read back: the register and its exports, the home page's picture, the report."""
