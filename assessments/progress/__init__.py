"""After approval: how each mitigating action is carried out, recorded without a new version."""
