"""The search engine (Elasticsearch or OpenSearch) as every service that keeps data there uses it."""
