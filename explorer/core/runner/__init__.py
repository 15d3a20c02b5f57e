"""The collection runner (``api-explorer run`` and the window's "Run collection"): ``plan``
reads a collection into ordered requests, ``engine.Runner`` sends them through a ``senders``
implementation and checks them (``checks``, ``jsonpath``), ``model`` holds the results and
``reports`` writes them as JSON or JUnit XML. No Qt here."""
