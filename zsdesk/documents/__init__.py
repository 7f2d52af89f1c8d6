"""The bureau's documents: the review and the monthly 通报 as Word files (GB/T 9704-2012).

``gbt9704`` holds the layout rules with their clauses; ``model`` what a document says;
``review`` and ``bulletin`` compose them from the one progress computation; ``build``
reads a ledger; ``docx_writer`` is the one writer of .docx files. No Qt here.
"""
