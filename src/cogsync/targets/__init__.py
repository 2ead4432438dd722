"""Target adapters: how calls reach an endpoint (in-process, boto3, raw HTTP, AWS CLI)."""
