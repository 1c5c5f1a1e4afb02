"""The rule language: grammar → parser → AST → semantic check → formatter."""
