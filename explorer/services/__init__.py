"""The application layer between the window and the core, free of Qt: the services the window
calls (``api``, ``workspace_api``), their implementations over the core and the composition root
(``compose.build_services``). Tests drive it without Qt; ``explorer/app.py`` only adds the window.
"""
