<?php
// What Flarum's .htaccess rewrite rules do, for `php -S` (test bed only): /api... to api.php,
// /admin... to admin.php, an existing file under assets/ as it is, everything else to index.php.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (preg_match('#^/(vendor|storage)/|^/config\.php$#', $path)) {
    http_response_code(403);
    return true;
}
if (preg_match('#^/assets/#', $path) && is_file(__DIR__ . $path)) {
    return false;
}
$script = preg_match('#^/api(/|$)#', $path) ? 'api.php' : (preg_match('#^/admin(/|$)#', $path) ? 'admin.php' : 'index.php');
$_SERVER['SCRIPT_NAME'] = '/' . $script;
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/' . $script;
require __DIR__ . '/' . $script;
