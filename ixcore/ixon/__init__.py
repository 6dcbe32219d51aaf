"""Ixon, the content-addressed serialization of argumentcomputer/ix: codec (tags, univ,
expr, constant, names, metadata), the environment model (env), work enumeration,
closures and sub-envs (work), the guests' claim rule (claims), the pipeline adapter
(pipeline) and a deterministic multi-block test environment (fixtures). The `.ixe` file
format itself is `ixcore.formats.ixe`."""
