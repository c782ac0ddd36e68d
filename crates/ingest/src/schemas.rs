//! OpenAPI description of a rejected record (`formats::Reject`: the pure
//! decoders take no OpenAPI dependency). The test checks it names exactly
//! the keys a real reject serializes.

/// One rejected record: where it was and why.
#[derive(utoipa::ToSchema)]
#[schema(as = Reject)]
#[allow(dead_code)] // never built: it only describes `formats::Reject`
pub(crate) struct RejectSchema {
    /// 1-based line (NDJSON) or record index (OTLP) in the payload.
    record: usize,
    reason: String,
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn the_description_names_the_serialized_keys() {
        let schema = serde_json::to_value(RejectSchema::schema()).unwrap();
        let described: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        let reject = formats::Reject {
            record: 3,
            reason: "not JSON".into(),
        };
        let value = serde_json::to_value(reject).unwrap();
        let serialized: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(described, serialized);
    }
}
