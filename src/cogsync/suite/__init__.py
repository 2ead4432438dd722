"""The conformance suite as pytest tests, one per property id (``test_SYNC_1``...).

Run it against any endpoint with the cogsync plugin's options::

    pytest --pyargs cogsync.suite --cogsync-endpoint-url=http://127.0.0.1:8000

JUnit XML (``--junitxml``), ``-k``, ``--lf`` and pytest-xdist work as for any suite.
"""
