#!/usr/bin/env bash
# Installs the pinned code generators for Go and Python (the TypeScript one comes with npm ci).
set -euo pipefail
go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6
go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1
go install connectrpc.com/connect/cmd/protoc-gen-connect-go@v1.18.1
python3 -m pip install --quiet --disable-pip-version-check grpcio-tools==1.71.0 grpcio==1.71.0 grpcio-status==1.71.0 googleapis-common-protos==1.70.0 protobuf==5.29.5
# grpcurl: the reflection test proves that a caller with nothing but reflection can decode our errors.
go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4
