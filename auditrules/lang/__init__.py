"""The rule language: grammar → parser → AST → semantic check → formatter.

``grammar.lark`` and :mod:`~auditrules.lang.parser` turn rule text into the frozen AST of
:mod:`~auditrules.lang.ast` (ticket statements' nodes in :mod:`~auditrules.lang.ticket_ast`);
:mod:`~auditrules.lang.check` refuses what cannot be evaluated (AR1xx codes);
:mod:`~auditrules.lang.format` writes the canonical text back; :mod:`~auditrules.lang.cached`
remembers checked policies between runs. The language knows
nothing of exports or ticket files; it reads column kinds and duration units from the vocabularies.
Third-party: lark.

May import: errors, columns, units, channels, cache
"""
