"""Operations: health endpoints, structured logs and the production settings check."""
