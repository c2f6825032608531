"""The REST API's own rules: keys and scopes, remembered answers of retried POSTs, per-key
rate limits, cursor pages and the resources' reads and upserts (docs/api.md). The HTTP layer
(clientcenter/http/api/) only translates requests and answers."""
