"""sources.yaml to the core's model, problems named as FILE:LINE with a fix; `monitor add`."""
