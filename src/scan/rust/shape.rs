//! Payload shapes from literals at emit sites: `json!({...})` token trees, struct literals (with
//! the serde renames of structs and enums declared in the same file), and plain literals.

use std::collections::HashMap;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

use super::facts::str_literal;
use crate::scan::Shape;

/// The shape of a payload argument, when a literal shows it; `None` for names and calls.
pub fn payload_shape(expr: &syn::Expr, serde: &SerdeDefs) -> Option<Shape> {
    let shape = value_shape(expr, serde);
    (shape != Shape::Unknown).then_some(shape)
}

/// The shape of any expression; `Unknown` when it is not a literal.
fn value_shape(expr: &syn::Expr, serde: &SerdeDefs) -> Shape {
    match expr {
        syn::Expr::Reference(r) => value_shape(&r.expr, serde),
        syn::Expr::Paren(p) => value_shape(&p.expr, serde),
        syn::Expr::Group(g) => value_shape(&g.expr, serde),
        syn::Expr::Lit(lit) => lit_shape(&lit.lit),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match &*u.expr {
            syn::Expr::Lit(lit) => lit_shape(&lit.lit),
            _ => Shape::Unknown,
        },
        syn::Expr::Array(a) => array_shape(a.elems.iter().map(|e| value_shape(e, serde))),
        syn::Expr::Macro(m) => macro_shape(&m.mac, serde),
        syn::Expr::Struct(s) => struct_shape(s, serde),
        syn::Expr::Path(p) if p.path.is_ident("None") => Shape::Null,
        syn::Expr::MethodCall(m)
            if matches!(
                m.method.to_string().as_str(),
                "to_string" | "to_owned" | "into"
            ) && str_literal(&m.receiver).is_some() =>
        {
            Shape::String
        }
        _ => Shape::Unknown,
    }
}

fn lit_shape(lit: &syn::Lit) -> Shape {
    match lit {
        syn::Lit::Str(_) => Shape::String,
        syn::Lit::Int(_) | syn::Lit::Float(_) => Shape::Number,
        syn::Lit::Bool(_) => Shape::Boolean,
        _ => Shape::Unknown,
    }
}

fn array_shape(items: impl Iterator<Item = Shape>) -> Shape {
    let items: Vec<Shape> = items.collect();
    let agreed = match items.split_first() {
        Some((first, rest)) if *first != Shape::Unknown && rest.iter().all(|s| s == first) => {
            Some(Box::new(first.clone()))
        }
        _ => None,
    };
    Shape::Array { items: agreed }
}

fn macro_shape(mac: &syn::Macro, serde: &SerdeDefs) -> Shape {
    let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
        return Shape::Unknown;
    };
    match name.as_str() {
        "json" => json_shape(mac.tokens.clone()),
        "vec" => mac
            .parse_body_with(
                syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            )
            .map(|items| array_shape(items.iter().map(|e| value_shape(e, serde))))
            .unwrap_or(Shape::Array { items: None }),
        "format" => Shape::String,
        _ => Shape::Unknown,
    }
}

/// The shape of the tokens of a `json!` invocation.
pub fn json_shape(tokens: TokenStream) -> Shape {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    json_trees_shape(&trees)
}

fn json_trees_shape(trees: &[TokenTree]) -> Shape {
    match trees {
        [TokenTree::Group(g)] => {
            let inner: Vec<TokenTree> = g.stream().into_iter().collect();
            match g.delimiter() {
                Delimiter::Brace => json_object_shape(&inner),
                Delimiter::Bracket => {
                    array_shape(split_commas(&inner).iter().map(|t| json_trees_shape(t)))
                }
                // A parenthesised expression is Rust code, not JSON.
                Delimiter::Parenthesis => Shape::Unknown,
                Delimiter::None => json_trees_shape(&inner),
            }
        }
        [TokenTree::Literal(l)] => lit_shape(&syn::Lit::new(l.clone())),
        [TokenTree::Ident(i)] if i == "true" || i == "false" => Shape::Boolean,
        [TokenTree::Ident(i)] if i == "null" => Shape::Null,
        [TokenTree::Punct(p), TokenTree::Literal(l)] if p.as_char() == '-' => {
            lit_shape(&syn::Lit::new(l.clone()))
        }
        _ => Shape::Unknown,
    }
}

fn json_object_shape(inner: &[TokenTree]) -> Shape {
    let mut properties = Vec::new();
    let mut open = false;
    for entry in split_commas(inner) {
        let Some(colon) = key_separator(entry) else {
            open = true;
            continue;
        };
        let key = match &entry[..colon] {
            [TokenTree::Literal(l)] => match syn::Lit::new(l.clone()) {
                syn::Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            _ => None,
        };
        match key {
            Some(key) => properties.push((key, json_trees_shape(&entry[colon + 1..]))),
            // `(expr): value` or `var: value`: a key decided at runtime.
            None => open = true,
        }
    }
    Shape::Object { properties, open }
}

/// Top-level comma-separated runs of tokens, trailing comma ignored.
fn split_commas(trees: &[TokenTree]) -> Vec<&[TokenTree]> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, tree) in trees.iter().enumerate() {
        if let TokenTree::Punct(p) = tree {
            if p.as_char() == ',' {
                parts.push(&trees[start..i]);
                start = i + 1;
            }
        }
    }
    if start < trees.len() {
        parts.push(&trees[start..]);
    }
    parts
}

/// The index of the `:` between a key and its value (not one half of a `::`).
fn key_separator(entry: &[TokenTree]) -> Option<usize> {
    let mut previous_joint_colon = false;
    for (i, tree) in entry.iter().enumerate() {
        if let TokenTree::Punct(p) = tree {
            if p.as_char() == ':' {
                if p.spacing() == Spacing::Alone && !previous_joint_colon {
                    return Some(i);
                }
                previous_joint_colon = p.spacing() == Spacing::Joint;
                continue;
            }
        }
        previous_joint_colon = false;
    }
    None
}

fn struct_shape(s: &syn::ExprStruct, serde: &SerdeDefs) -> Shape {
    let segments: Vec<String> = s
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let (fields, wrap) = match segments.as_slice() {
        [.., enum_name, variant] if serde.enums.contains_key(enum_name) => {
            let def = &serde.enums[enum_name];
            match def.variants.get(variant) {
                Some(v) => (Some(&v.fields), Some((def, variant.as_str(), v))),
                None => (None, None),
            }
        }
        // `Res::Login { .. }` of an enum declared elsewhere: its tagging is unknown, so the
        // keys on the wire are too.
        [.., owner, _] if owner.starts_with(char::is_uppercase) => return Shape::Unknown,
        [.., name] => (serde.structs.get(name), None),
        [] => (None, None),
    };
    let default = Fields::default();
    let fields = fields.unwrap_or(&default);
    if fields.transparent {
        return match s.fields.first() {
            Some(only) => value_shape(&only.expr, serde),
            None => Shape::Unknown,
        };
    }
    let mut properties = Vec::new();
    let mut open = s.rest.is_some();
    for field in &s.fields {
        let syn::Member::Named(ident) = &field.member else {
            open = true;
            continue;
        };
        let name = ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name);
        match fields.attrs.get(name) {
            Some(FieldAttr::Skip) => continue,
            Some(FieldAttr::Flatten) => open = true,
            Some(FieldAttr::Rename(renamed)) => {
                properties.push((renamed.clone(), value_shape(&field.expr, serde)));
            }
            None => {
                let key = match &fields.rename_all {
                    Some(rule) => rename_field(name, rule),
                    None => name.to_string(),
                };
                properties.push((key, value_shape(&field.expr, serde)));
            }
        }
    }
    let object = Shape::Object { properties, open };
    let Some((def, variant, v)) = wrap else {
        return object;
    };
    let tag_value = v.rename.clone().unwrap_or_else(|| match &def.rename_all {
        Some(rule) => rename_variant(variant, rule),
        None => variant.to_string(),
    });
    match &def.tagging {
        Tagging::Untagged => object,
        Tagging::Internal(tag) => match object {
            Shape::Object {
                mut properties,
                open,
            } => {
                properties.insert(0, (tag.clone(), Shape::String));
                Shape::Object { properties, open }
            }
            other => other,
        },
        Tagging::Adjacent(tag, content) => Shape::Object {
            properties: vec![(tag.clone(), Shape::String), (content.clone(), object)],
            open: false,
        },
        Tagging::External => Shape::Object {
            properties: vec![(tag_value, object)],
            open: false,
        },
    }
}

/// Serde attributes of the structs and enums declared in one file.
#[derive(Default)]
pub struct SerdeDefs {
    structs: HashMap<String, Fields>,
    enums: HashMap<String, EnumDef>,
}

#[derive(Default)]
struct Fields {
    rename_all: Option<String>,
    transparent: bool,
    attrs: HashMap<String, FieldAttr>,
}

enum FieldAttr {
    Rename(String),
    Skip,
    Flatten,
}

struct EnumDef {
    tagging: Tagging,
    rename_all: Option<String>,
    variants: HashMap<String, VariantDef>,
}

struct VariantDef {
    rename: Option<String>,
    fields: Fields,
}

enum Tagging {
    External,
    Internal(String),
    Adjacent(String, String),
    Untagged,
}

impl SerdeDefs {
    /// Record a struct's container and field attributes.
    pub fn note_struct(&mut self, item: &syn::ItemStruct) {
        let mut fields = fields_of(&item.fields, None);
        for (name, value) in serde_metas(&item.attrs) {
            match (name.as_str(), value) {
                ("rename_all", Some(rule)) => fields.rename_all = Some(rule),
                ("transparent", _) => fields.transparent = true,
                _ => {}
            }
        }
        self.structs.insert(item.ident.to_string(), fields);
    }

    /// Record an enum's tagging, renames and the fields of its struct variants.
    pub fn note_enum(&mut self, item: &syn::ItemEnum) {
        let (mut tag, mut content, mut untagged) = (None, None, false);
        let (mut rename_all, mut rename_all_fields) = (None, None);
        for (name, value) in serde_metas(&item.attrs) {
            match (name.as_str(), value) {
                ("tag", Some(v)) => tag = Some(v),
                ("content", Some(v)) => content = Some(v),
                ("untagged", _) => untagged = true,
                ("rename_all", Some(v)) => rename_all = Some(v),
                ("rename_all_fields", Some(v)) => rename_all_fields = Some(v),
                _ => {}
            }
        }
        let tagging = match (untagged, tag, content) {
            (true, _, _) => Tagging::Untagged,
            (false, Some(tag), Some(content)) => Tagging::Adjacent(tag, content),
            (false, Some(tag), None) => Tagging::Internal(tag),
            (false, None, _) => Tagging::External,
        };
        let variants = item
            .variants
            .iter()
            .map(|variant| {
                let mut fields = fields_of(&variant.fields, rename_all_fields.clone());
                let mut rename = None;
                for (name, value) in serde_metas(&variant.attrs) {
                    match (name.as_str(), value) {
                        ("rename", Some(v)) => rename = Some(v),
                        ("rename_all", Some(v)) => fields.rename_all = Some(v),
                        _ => {}
                    }
                }
                (variant.ident.to_string(), VariantDef { rename, fields })
            })
            .collect();
        self.enums.insert(
            item.ident.to_string(),
            EnumDef {
                tagging,
                rename_all,
                variants,
            },
        );
    }
}

fn fields_of(fields: &syn::Fields, rename_all: Option<String>) -> Fields {
    let mut out = Fields {
        rename_all,
        ..Fields::default()
    };
    for field in fields {
        let Some(ident) = &field.ident else { continue };
        for (name, value) in serde_metas(&field.attrs) {
            let attr = match (name.as_str(), value) {
                ("rename", Some(v)) => FieldAttr::Rename(v),
                ("skip" | "skip_serializing", _) => FieldAttr::Skip,
                ("flatten", _) => FieldAttr::Flatten,
                _ => continue,
            };
            out.attrs.insert(ident.to_string(), attr);
        }
    }
    out
}

/// `#[serde(name = "value", flag, rename(serialize = "x"))]` → `(name, value)` pairs; a nested
/// `rename(serialize = …)` yields its serialize name. Malformed attributes yield what parsed.
fn serde_metas(attrs: &[syn::Attribute]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let name = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if meta.input.peek(syn::Token![=]) {
                let expr: syn::Expr = meta.value()?.parse()?;
                out.push((name, str_literal(&expr)));
            } else if meta.input.peek(syn::token::Paren) {
                let mut serialize = None;
                meta.parse_nested_meta(|inner| {
                    if inner.input.peek(syn::Token![=]) {
                        let expr: syn::Expr = inner.value()?.parse()?;
                        if inner.path.is_ident("serialize") {
                            serialize = str_literal(&expr);
                        }
                    }
                    Ok(())
                })?;
                out.push((name, serialize));
            } else {
                out.push((name, None));
            }
            Ok(())
        });
    }
    out
}

/// A snake_case field name under a serde `rename_all` rule.
fn rename_field(name: &str, rule: &str) -> String {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    join_words(&words, rule).unwrap_or_else(|| name.to_string())
}

/// A PascalCase variant name under a serde `rename_all` rule.
fn rename_variant(name: &str, rule: &str) -> String {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if c.is_uppercase() && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let refs: Vec<&str> = lowered.iter().map(String::as_str).collect();
    match rule {
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        _ => join_words(&refs, rule).unwrap_or_else(|| name.to_string()),
    }
}

fn join_words(words: &[&str], rule: &str) -> Option<String> {
    let capitalise = |w: &str| {
        let mut chars = w.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
            None => String::new(),
        }
    };
    Some(match rule {
        "lowercase" => words.concat().to_lowercase(),
        "UPPERCASE" => words.concat().to_uppercase(),
        "PascalCase" => words.iter().map(|w| capitalise(w)).collect(),
        "camelCase" => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.to_string() } else { capitalise(w) })
            .collect(),
        "snake_case" => words.join("_"),
        "SCREAMING_SNAKE_CASE" => words.join("_").to_uppercase(),
        "kebab-case" => words.join("-"),
        "SCREAMING-KEBAB-CASE" => words.join("-").to_uppercase(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(code: &str) -> Option<Shape> {
        let expr: syn::Expr = syn::parse_str(code).unwrap();
        payload_shape(&expr, &SerdeDefs::default())
    }

    fn object(props: &[(&str, Shape)], open: bool) -> Shape {
        Shape::Object {
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            open,
        }
    }

    #[test]
    fn json_macro_keys_and_literal_types() {
        let shape = shape_of(
            r#"json!({"user": {"id": 1, "name": "a"}, "ok": true, "tags": ["x", "y"], "n": -2.5, "v": null, "c": some::path(), (k): 1})"#,
        );
        assert_eq!(
            shape,
            Some(object(
                &[
                    (
                        "user",
                        object(&[("id", Shape::Number), ("name", Shape::String)], false)
                    ),
                    ("ok", Shape::Boolean),
                    (
                        "tags",
                        Shape::Array {
                            items: Some(Box::new(Shape::String))
                        }
                    ),
                    ("n", Shape::Number),
                    ("v", Shape::Null),
                    ("c", Shape::Unknown),
                ],
                true
            ))
        );
    }

    #[test]
    fn names_and_calls_have_no_shape() {
        assert_eq!(shape_of("&data"), None);
        assert_eq!(shape_of("msg.clone()"), None);
        assert_eq!(shape_of("\"hi\""), Some(Shape::String));
    }

    #[test]
    fn struct_literal_follows_serde_renames() {
        let file: syn::File = syn::parse_str(
            r#"
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Joined { user_id: String, #[serde(rename = "numUsers")] num_users: usize, #[serde(skip)] secret: u8 }
            #[derive(Serialize)]
            #[serde(tag = "kind", rename_all = "snake_case")]
            enum Res { UserLeft { user_id: String } }
            "#,
        )
        .unwrap();
        let mut defs = SerdeDefs::default();
        for item in &file.items {
            match item {
                syn::Item::Struct(s) => defs.note_struct(s),
                syn::Item::Enum(e) => defs.note_enum(e),
                _ => {}
            }
        }
        let expr: syn::Expr =
            syn::parse_str(r#"&Joined { user_id: id.clone(), num_users: 3, secret: 1 }"#).unwrap();
        assert_eq!(
            payload_shape(&expr, &defs),
            Some(object(
                &[("userId", Shape::Unknown), ("numUsers", Shape::Number)],
                false
            ))
        );
        let expr: syn::Expr = syn::parse_str(r#"Res::UserLeft { user_id }"#).unwrap();
        assert_eq!(
            payload_shape(&expr, &defs),
            Some(object(
                &[("kind", Shape::String), ("user_id", Shape::Unknown)],
                false
            ))
        );
    }

    #[test]
    fn variants_of_enums_declared_elsewhere_have_no_shape() {
        assert_eq!(shape_of("&Res::Login { num_users }"), None);
        assert_eq!(
            shape_of("models::Trade { id: 1 }"),
            Some(object(&[("id", Shape::Number)], false))
        );
    }

    #[test]
    fn variant_names_follow_rename_rules() {
        assert_eq!(rename_variant("UserLeft", "snake_case"), "user_left");
        assert_eq!(rename_variant("UserLeft", "camelCase"), "userLeft");
        assert_eq!(rename_field("num_users", "PascalCase"), "NumUsers");
        assert_eq!(rename_field("num_users", "kebab-case"), "num-users");
    }
}
