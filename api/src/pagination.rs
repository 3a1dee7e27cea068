//! Offset pages, the service-side half of Relay connections. Services take a `PageRequest` and
//! return a `Page`; `graphql::relay` turns a page into a connection with opaque cursors.

use crate::error::{AppError, AppResult};

/// Page size when the client does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;
/// No list is this long; a cursor past it was not made by this API. It keeps offsets far inside
/// the signed 64-bit range in which databases bind OFFSET (a larger one made the driver panic).
pub const MAX_OFFSET: u64 = 1 << 40;

/// Which slice of a list to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u64,
}

impl PageRequest {
    /// Validates `first` (1 to 100, default 20) and the decoded `after` offset.
    pub fn new(first: Option<i32>, after_offset: Option<u64>) -> AppResult<Self> {
        let limit = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n < 1 => return Err(AppError::bad_field("first", "must be at least 1")),
            Some(n) if n as u64 > MAX_PAGE_SIZE => {
                return Err(AppError::bad_field(
                    "first",
                    format!("must be at most {MAX_PAGE_SIZE}"),
                ));
            }
            Some(n) => n as u64,
        };
        if after_offset.is_some_and(|after| after >= MAX_OFFSET) {
            return Err(AppError::bad_field(
                "after",
                "is not a cursor returned by this API",
            ));
        }
        Ok(Self {
            offset: after_offset.map_or(0, |after| after + 1),
            limit,
        })
    }

    /// Every item, for internal callers that need the whole list. The limit stays within the
    /// signed 64-bit range, because databases bind LIMIT as a signed integer.
    pub fn all() -> Self {
        Self {
            offset: 0,
            limit: i64::MAX.unsigned_abs(),
        }
    }

    /// Applies the request to a list already in memory (used for relation fields whose items
    /// come from a DataLoader batch).
    pub fn slice<T: Clone>(&self, items: &[T]) -> Page<T> {
        let start = usize::try_from(self.offset)
            .unwrap_or(usize::MAX)
            .min(items.len());
        let end = start
            .saturating_add(usize::try_from(self.limit).unwrap_or(usize::MAX))
            .min(items.len());
        Page::new(items[start..end].to_vec(), items.len() as u64, *self)
    }
}

/// One page of results with the total count across all pages.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub offset: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: u64, request: PageRequest) -> Self {
        Self {
            items,
            total,
            offset: request.offset,
        }
    }

    pub fn has_next(&self) -> bool {
        self.offset + (self.items.len() as u64) < self.total
    }

    pub fn has_previous(&self) -> bool {
        self.offset > 0
    }

    /// The page with each item converted, or the first conversion's error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            total: self.total,
            offset: self.offset,
        })
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_is_capped() {
        assert_eq!(
            PageRequest::new(None, None).unwrap().limit,
            DEFAULT_PAGE_SIZE
        );
        assert_eq!(PageRequest::new(Some(100), None).unwrap().limit, 100);
        for bad in [0, -5, 101] {
            assert!(PageRequest::new(Some(bad), None).is_err(), "{bad}");
        }
    }

    #[test]
    fn slicing_reports_neighbours_and_total() {
        let items: Vec<u32> = (0..25).collect();
        let page = PageRequest::new(Some(10), Some(9)).unwrap().slice(&items);
        assert_eq!(page.items, (10..20).collect::<Vec<_>>());
        assert_eq!(page.total, 25);
        assert!(page.has_previous() && page.has_next());
        let last = PageRequest::new(Some(10), Some(19)).unwrap().slice(&items);
        assert_eq!(last.items.len(), 5);
        assert!(!last.has_next());
        let beyond = PageRequest::new(Some(10), Some(99)).unwrap().slice(&items);
        assert!(beyond.items.is_empty());
    }
}
