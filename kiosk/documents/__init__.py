"""Document composition: receipts as the printers' blocks and the business licence as a PDF.

No device code here: the receipt printer turns :class:`devices.printers.blocks.Receipt` blocks into
ESC/POS bytes, the document printer sends :func:`licence_pdf` bytes to CUPS or a spool folder.
"""

from devices.printers.blocks import QR, Cut, Feed, KeyValue, Receipt, Rule, Text, Title
from kiosk.documents.licence import LicenceInputError, licence_from, licence_pdf, test_sheet
from kiosk.documents.numerals import cny_uppercase
from kiosk.documents.receipts import (RECEIPT_KINDS, ReceiptInputError, acceptance_receipt,
                                      linked_items_receipt, progress_receipt, progress_url, result_notice)
from service.contract.labels import LINKED_SERVICES, linked_name

__all__ = ["QR", "Cut", "Feed", "KeyValue", "Receipt", "Rule", "Text", "Title", "LINKED_SERVICES",
           "linked_name", "LicenceInputError", "licence_from", "licence_pdf", "test_sheet", "cny_uppercase",
           "RECEIPT_KINDS", "ReceiptInputError", "acceptance_receipt", "linked_items_receipt",
           "progress_receipt", "progress_url", "result_notice"]
