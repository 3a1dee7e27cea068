//! Pages, the service-side half of Relay connections. Services take a `PageRequest` and
//! return a `Page`; `graphql::relay` turns a page into a connection with opaque cursors.
//!
//! The large lists (`tasks`, `obligations`) page by keyset: their cursor is the sort key of the
//! row it names (`SortKey`), and the next page reads the rows after that key, so a page deep in
//! the list costs what the first does and rows inserted or removed before the cursor neither
//! repeat nor skip rows after it. The other lists, short by nature, page by offset.
//!
//! A list counts its rows only when the client asks for `totalCount` (`PageRequest::count`):
//! counting every match is most of a page's cost on a large table. Without the count, one row
//! more than the page is read to know whether there is a next page.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Select};

use crate::error::{AppError, AppResult};

/// Page size when the client does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;
/// No list is this long; a cursor past it was not made by this API. It keeps offsets far inside
/// the signed 64-bit range in which databases bind OFFSET (a larger one made the driver panic).
pub const MAX_OFFSET: u64 = 1 << 40;

/// The sort key of a row in a keyset list: its list's and order's name first, then the values
/// it is ordered by, the row's id last. A cursor carries it as JSON; the list that made it
/// decodes it again (`SortKey::expect`), and a key of another list or order is refused.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SortKey(pub Vec<serde_json::Value>);

impl SortKey {
    /// A key of the order named `order` made of `values`.
    pub fn new(order: &str, values: Vec<serde_json::Value>) -> Self {
        let mut parts = Vec::with_capacity(values.len() + 1);
        parts.push(serde_json::Value::from(order));
        parts.extend(values);
        Self(parts)
    }

    /// The `N` values of a key made for `order`, or BAD_USER_INPUT naming `after`.
    pub fn expect<const N: usize>(&self, order: &str) -> AppResult<&[serde_json::Value; N]> {
        match self.0.split_first() {
            Some((name, values)) if name.as_str() == Some(order) => {
                values.try_into().map_err(|_| foreign_cursor())
            }
            _ => Err(foreign_cursor()),
        }
    }
}

/// A cursor this list or order did not make: `after` names another list, another order, or
/// was altered.
pub fn foreign_cursor() -> AppError {
    AppError::bad_field(
        "after",
        "is not a cursor of this list in this order (a cursor stays valid only with the orderBy it came with)",
    )
}

/// One value of a sort key as `T`, or the error of a foreign cursor.
pub fn key_value<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> AppResult<T> {
    T::deserialize(value).map_err(|_| foreign_cursor())
}

/// Which slice of a list to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u64,
    /// Whether the total across all pages is wanted (the client selected `totalCount`).
    pub count: bool,
    /// A keyset page: its position is a key, not an offset, so whether more rows follow is
    /// known only from the extra row, counted or not.
    pub keyset: bool,
    /// Whether the rows are wanted (the client selected `nodes`, `edges` or `pageInfo`): a
    /// list asked only for its `totalCount` may skip reading them (the tasks' does: a
    /// document's counts by status are five totals in one request).
    pub rows: bool,
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
            count: true,
            keyset: false,
            rows: true,
        })
    }

    /// The same request, counting the total or not.
    pub fn counting(self, count: bool) -> Self {
        Self { count, ..self }
    }

    /// The same request, reading the rows or not.
    pub fn reading_rows(self, rows: bool) -> Self {
        Self { rows, ..self }
    }

    /// The same request for a keyset list (`Page::keyed`).
    pub fn keyset(self) -> Self {
        Self {
            keyset: true,
            ..self
        }
    }

    /// The total of `query` when it is wanted, else `None` (and no statement).
    pub async fn total_of<E>(
        &self,
        query: &Select<E>,
        db: &impl ConnectionTrait,
    ) -> AppResult<Option<u64>>
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        if !self.count {
            return Ok(None);
        }
        Ok(Some(query.clone().count(db).await?))
    }

    /// How many rows to read: the page, and one more when the total is not counted or the page
    /// is a keyset's (to know whether a next page exists). Within the signed 64-bit range
    /// databases bind LIMIT in.
    pub fn fetch_limit(&self) -> u64 {
        if (self.count && !self.keyset) || self.limit >= i64::MAX.unsigned_abs() {
            self.limit
        } else {
            self.limit + 1
        }
    }

    /// Every item, for internal callers that need the whole list. The limit stays within the
    /// signed 64-bit range, because databases bind LIMIT as a signed integer.
    pub fn all() -> Self {
        Self {
            offset: 0,
            limit: i64::MAX.unsigned_abs(),
            count: false,
            keyset: false,
            rows: true,
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
        Page::new(items[start..end].to_vec(), Some(items.len() as u64), *self)
    }
}

/// One page of results, with the total count across all pages when it was asked for.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: Option<u64>,
    pub offset: u64,
    /// More rows follow this page (known from the extra row read when not counting).
    more: bool,
    /// A keyset page: each item's sort key, and whether the page started after a cursor.
    keys: Option<(Vec<SortKey>, bool)>,
}

impl<T> Page<T> {
    /// A page of `items` as read for `request` (with its extra row, when not counting).
    pub fn new(mut items: Vec<T>, total: Option<u64>, request: PageRequest) -> Self {
        let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        Self {
            items,
            total,
            offset: request.offset,
            more,
            keys: None,
        }
    }

    /// The page of a keyset list, with each item's sort key (`key`); `after`: whether it was
    /// read after a cursor (so a previous page exists).
    pub fn keyed(mut self, after: bool, key: impl Fn(&T) -> SortKey) -> Self {
        self.keys = Some((self.items.iter().map(key).collect(), after));
        self
    }

    /// The items' sort keys, for a keyset page; `None` for an offset page.
    pub fn sort_keys(&self) -> Option<&[SortKey]> {
        self.keys.as_ref().map(|(keys, _)| keys.as_slice())
    }

    pub fn has_next(&self) -> bool {
        self.more
            || self.keys.is_none()
                && self
                    .total
                    .is_some_and(|total| self.offset + (self.items.len() as u64) < total)
    }

    /// The total when counted, else what is known: the rows up to this page's end.
    pub fn total_or_known(&self) -> u64 {
        self.total
            .unwrap_or(self.offset + self.items.len() as u64 + u64::from(self.more))
    }

    pub fn has_previous(&self) -> bool {
        self.offset > 0 || self.keys.as_ref().is_some_and(|(_, after)| *after)
    }

    /// The page with each item converted, or the first conversion's error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            total: self.total,
            offset: self.offset,
            more: self.more,
            keys: self.keys,
        })
    }

    /// The same page with `items` in place of its own (the rows a page was read as, turned
    /// into what the caller returns). Sort keys describe the old items, so they are not kept:
    /// a keyset list keys the page after (`keyed`).
    pub fn with_items<U>(self, items: Vec<U>) -> Page<U> {
        Page {
            items,
            total: self.total,
            offset: self.offset,
            more: self.more,
            keys: None,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
            more: self.more,
            keys: self.keys,
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
        assert_eq!(page.total, Some(25));
        assert!(page.has_previous() && page.has_next());
        let last = PageRequest::new(Some(10), Some(19)).unwrap().slice(&items);
        assert_eq!(last.items.len(), 5);
        assert!(!last.has_next());
        let beyond = PageRequest::new(Some(10), Some(99)).unwrap().slice(&items);
        assert!(beyond.items.is_empty());
    }
}

#[cfg(test)]
mod counting {
    use super::*;

    #[test]
    fn without_a_count_one_extra_row_tells_whether_a_next_page_exists() {
        let request = PageRequest::new(Some(2), None).unwrap().counting(false);
        assert_eq!(request.fetch_limit(), 3);
        let page = Page::new(vec![1, 2, 3], None, request);
        assert_eq!(page.items, [1, 2]);
        assert!(page.has_next());
        let last = Page::new(vec![1, 2], None, request);
        assert!(!last.has_next());
        // Internal callers read everything and count nothing; the limit stays bindable.
        assert_eq!(PageRequest::all().fetch_limit(), i64::MAX.unsigned_abs());
    }
}
