"""The Slack twin: a stand-in for Slack that answers like Slack and rejects what Slack rejects.

`twin.webapi` serves the Web API, `twin.socket_mode` the Socket Mode endpoint,
`twin.interactions` builds the signed requests Slack sends to an app, and `twin.workspace`
shows it all in a browser (the local workspace). The test suite, the local workspace and CI
use the same code.
"""
