"""Every text table in several languages: what customers and agents read (en, es, fr, de, pt), and the words
around a credential that masking looks for."""
