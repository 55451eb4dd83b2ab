"""Everything that talks to the outside: sources, sinks, the SQL store and secrets.

Connectors receive their clients and typed settings; they never read the environment themselves.
"""
