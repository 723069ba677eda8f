//! OSS error responses.

/// An error answer: HTTP status, OSS Code, Message, EC and extra XML fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OssError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub ec: &'static str,
    /// Extra elements such as StringToSign or BucketName.
    pub extra: Vec<(&'static str, String)>,
}

impl OssError {
    pub fn new(
        status: u16,
        code: &'static str,
        message: impl Into<String>,
        ec: &'static str,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            ec,
            extra: Vec::new(),
        }
    }
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(403, "AccessDenied", message, "0003-00000001")
    }
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidArgument", message, "0016-00000001")
    }
    pub fn malformed_xml(message: impl Into<String>) -> Self {
        Self::new(400, "MalformedXML", message, "0016-00000602")
    }
    pub fn no_such_bucket(bucket: &str) -> Self {
        Self::new(
            404,
            "NoSuchBucket",
            "The specified bucket does not exist.",
            "0015-00000101",
        )
        .with("BucketName", bucket)
    }
    pub fn no_such_key(key: &str) -> Self {
        Self::new(
            404,
            "NoSuchKey",
            "The specified key does not exist.",
            "0026-00000001",
        )
        .with("Key", key)
    }

    pub fn no_such_upload(id: &str) -> Self {
        Self::new(
            404,
            "NoSuchUpload",
            "The specified upload does not exist.",
            "0042-00000002",
        )
        .with("UploadId", id)
    }

    /// The XML body.
    pub fn to_xml(&self, request_id: &str, host_id: &str) -> String {
        use ossc::xml::escape;
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
        s += &format!("  <Code>{}</Code>\n", self.code);
        s += &format!("  <Message>{}</Message>\n", escape(&self.message));
        s += &format!("  <RequestId>{request_id}</RequestId>\n");
        s += &format!("  <HostId>{}</HostId>\n", escape(host_id));
        for (k, v) in &self.extra {
            s += &format!("  <{k}>{}</{k}>\n", escape(v));
        }
        if !self.ec.is_empty() {
            s += &format!("  <EC>{}</EC>\n", self.ec);
        }
        s += "</Error>\n";
        s
    }
}

pub type OssResult<T> = Result<T, OssError>;
