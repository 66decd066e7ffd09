//! Text normalisation that derives the `clean<Name>` fields the LLM reads.
