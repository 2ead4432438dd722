"""The reference emulator of Cognito Sync's records API: backend, storage, wire, server, mock."""
