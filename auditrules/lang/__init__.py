"""The rule language: grammar → parser → AST → semantic check → formatter.

``grammar.lark`` and :mod:`~auditrules.lang.parser` turn rule text into the frozen AST of
:mod:`~auditrules.lang.ast`; :mod:`~auditrules.lang.check` refuses what cannot be evaluated
(AR1xx codes); :mod:`~auditrules.lang.format` writes the canonical text back. The language knows
nothing of exports or ticket files; it reads column kinds and duration units from the vocabularies.
Third-party: lark.

May import: errors, columns, units, channels, cache
"""
