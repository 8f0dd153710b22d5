"""The Slack twin's Web API methods, one module per family (chat, conversations, people,
views, files): mixins that `twin.webapi.SlackTwin` is assembled from."""
