"""Background work of the content app: none yet.

Sending a package is a constant number of SQL statements (``services.package_send``), fast
enough for a request, and its notices are emailed by the notifications app's own tasks.
When the content app does queue work, its tasks take ids and are queued with
``transaction.on_commit`` (see STYLE.md).
"""
