"""Rongxin (荣信): volunteer + credit civilization-practice platform."""
