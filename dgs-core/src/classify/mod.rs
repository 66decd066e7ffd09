//! The chunked, concurrent classification engine with one result per item.
